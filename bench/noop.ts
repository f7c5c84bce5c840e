import { registerProvisioner, type Provisioner, type ProvisionerContext } from '../src/index.js';

/** When each group's first startup was called (performance.now()), for the dependency-to-dependent latency. */
export const firstStartup = new Map<string, number>();

/** A provisioner that does nothing, to measure the scheduler and persistence alone. */
export class NoOp implements Provisioner {
  name = '';
  constructor(public index: number) {}
  startup(input: unknown, ctx: ProvisionerContext): unknown {
    if (this.index === 0) firstStartup.set(ctx.group, performance.now());
    return { step: this.index, after: typeof input === 'object' && input !== null ? (input as { step: number }).step : null };
  }
  shutdown(): boolean {
    return true;
  }
  report(): string[] {
    return [`no-op ${this.index}`];
  }
}
registerProvisioner(NoOp, 'bench.NoOp');

import { registerProvisioner, type Provisioner } from '../src/index.js';

/** A provisioner that does nothing, to measure the scheduler and persistence alone. */
export class NoOp implements Provisioner {
  name = '';
  constructor(public index: number) {}
  startup(input: unknown): unknown {
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

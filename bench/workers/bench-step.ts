// The bench's step: returns at once (no-op) or after GW_BENCH_STEP_MS (an I/O-bound step: a timer
// stands for waiting on a remote system). Registered on import, in the bench and in its workers.
import { registerProvisioner, type Provisioner, type ProvisionerContext } from '../../src/index.js';

export class BenchStep implements Provisioner<unknown, { ok: true }> {
  name = '';
  ms: number;
  constructor(ms = 0) {
    this.ms = ms;
  }
  async startup(_input: unknown, ctx: ProvisionerContext) {
    if (this.ms > 0) {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, this.ms);
        ctx.signal.addEventListener('abort', () => (clearTimeout(t), reject(ctx.signal.reason)), { once: true });
      });
    }
    return { ok: true as const };
  }
  shutdown() {
    return true;
  }
  report() {
    return [];
  }
}
registerProvisioner(BenchStep);

/** flat: N independent groups; chain: each group depends on the one before. Three steps each unless `steps`. */
export function benchGroups(shape: string, count: number, ms: number, steps = 3) {
  const groups: Record<string, { dependsOn: string[]; provisioners: () => Provisioner[] }> = {};
  for (let k = 0; k < count; k++) {
    groups[`b${k}`] = {
      dependsOn: shape === 'chain' && k > 0 ? [`b${k - 1}`] : [],
      provisioners: () => Array.from({ length: steps }, () => new BenchStep(ms)),
    };
  }
  return groups;
}

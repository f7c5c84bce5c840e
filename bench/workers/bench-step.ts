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

/**
 * flat: N independent groups; chain: each group depends on the one before; ladder: N rounds of a
 * group r{k} with two dependents a{k} and b{k}, the next round's r depending on both (the worker that
 * ends r{k} takes one dependent itself, the other goes through the queue to another worker).
 * Three steps each unless `steps`.
 */
export function benchGroups(shape: string, count: number, ms: number, steps = 3) {
  const groups: Record<string, { dependsOn: string[]; provisioners: () => Provisioner[] }> = {};
  const group = (dependsOn: string[]) => ({ dependsOn, provisioners: () => Array.from({ length: steps }, () => new BenchStep(ms)) });
  for (let k = 0; k < count; k++) {
    if (shape === 'ladder') {
      groups[`r${k}`] = group(k > 0 ? [`a${k - 1}`, `b${k - 1}`] : []);
      groups[`a${k}`] = group([`r${k}`]);
      groups[`b${k}`] = group([`r${k}`]);
    } else groups[`b${k}`] = group(shape === 'chain' && k > 0 ? [`b${k - 1}`] : []);
  }
  return groups;
}

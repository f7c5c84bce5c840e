import { GroupFailedError } from '../errors.js';
import { dependentClosure } from './graph.js';
import type { GroupSpec } from './options.js';
import { planGroups } from './plan.js';
import { provisionRun, type RunSummary } from './provision-run.js';
import type { Runtime } from './runtime.js';
import { teardownRun } from './teardown-run.js';

export interface ReplaceSummary {
  /** Deprovisioned: the groups asked for and every group depending on them, in the order they went (dependents first). */
  deprovisioned: string[];
  /** Scheduled again with the provisioners their spec builds now, then provisioned. */
  rescheduled: string[];
  /** Dependents that `specs` has no spec for: deprovisioned (they used the old setup) and not scheduled again. */
  dropped: string[];
  /** The provisioning of the rescheduled groups (and what they depend on). */
  run: RunSummary;
}

/**
 * Deprovision `groups` and their dependents (dependents first), schedule them
 * again from `specs`, and provision them in dependency order. The new records
 * are built (and checked) before anything is deprovisioned.
 */
export async function replaceRun(
  rt: Runtime,
  groups: readonly string[],
  specs: readonly GroupSpec[],
  options: { force: boolean; concurrency: number; signal: AbortSignal; stop?: AbortSignal },
): Promise<ReplaceSummary> {
  const { ledger } = rt;
  const closure = dependentClosure(groups, ledger.records());
  const records = planGroups(
    rt,
    specs.filter((s) => closure.has(s.name)),
    closure,
  );
  const stop = options.stop ? { stop: options.stop } : {};
  const down = await teardownRun(rt, {
    groups: [...closure],
    force: options.force,
    concurrency: options.concurrency,
    signal: options.signal,
    ...stop,
  });
  if (!down.ok) {
    const why = down.failed[0]?.error ?? `stopped before ${down.kept.join(', ')} were deprovisioned`;
    throw new GroupFailedError(
      `Replace of ${groups.join(', ')} stopped while deprovisioning: ${why}. Nothing was scheduled again; run it again once that is fixed.`,
      down.failed[0]?.group ?? groups[0]!,
    );
  }
  // One write for all of them, fingerprints included.
  if (records.length > 0) await ledger.add(records);
  const rescheduled = records.map((r) => r.name);
  const run = await provisionRun(rt, { targets: rescheduled, concurrency: options.concurrency, signal: options.signal, ...stop });
  return {
    deprovisioned: down.removed,
    rescheduled,
    dropped: [...closure].filter((n) => !rescheduled.includes(n)),
    run,
  };
}

// `provision` with a database (issue 12): always through the workers, this process one more
// worker unless --no-work. Drift, --replace/--replace-drifted and the health check on reuse
// behave and print as in the file mode (the same provision-drift.ts / provision-health.ts code,
// over a Replacer whose replace tears down and provisions again through the workers).
import type { ResolvedConfig } from '../../config/load.js';
import { selectGroups } from '../../config/select.js';
import { ConfigError, GroupFailedError } from '../../errors.js';
import { driftOf } from '../../scheduler/drift.js';
import type { GroupSpec } from '../../scheduler/options.js';
import type { StateData } from '../../state/types.js';
import { checkStoredGroups } from '../../workers/health.js';
import { planReplacement, readStateData } from '../../workers/submit-replace.js';
import { submitProvision, submitTeardown } from '../../workers/submitter.js';
import { ExitCode } from '../exit-codes.js';
import { describeTarget } from '../state-target.js';
import type { TaskContext } from '../task-context.js';
import { replaceOrWarnDrift, type ReplaceOutcome, type Replacer } from './provision-drift.js';
import { repairUnhealthy, type Repairer } from './provision-health.js';
import { report, withWorkerSession, type DatabaseTarget, type WorkerSession } from './worker-session.js';

/**
 * Replace through the workers: tear the groups and their dependents down
 * (dependents first: the workers' own teardown order), then schedule those the
 * config still has again and provision them. Throws GroupFailedError, nothing
 * scheduled again, if a shutdown failed (as the single process's replaceRun).
 */
async function replaceOnWorkers(s: WorkerSession, groups: readonly string[], specs: readonly GroupSpec[]): Promise<ReplaceOutcome> {
  const ctx = s.submitContext;
  const plan = planReplacement(ctx, await readStateData(ctx, s.worker.stateId), groups, specs);
  const aborted = { rescheduled: [], dropped: [], run: { ok: false, aborted: true, groups: [] } };
  const down = await s.phase('down', () => submitTeardown(ctx, plan.closure));
  if (!down) return aborted;
  const failed = down.find((o) => o.state === 'failed') ?? down.find((o) => o.state !== 'removed');
  if (failed) {
    throw new GroupFailedError(
      `Replace of ${groups.join(', ')} stopped while deprovisioning: ${failed.error ?? `${failed.group} is ${failed.state}`}. Nothing was scheduled again; run it again once that is fixed.`,
      failed.group,
    );
  }
  const rescheduled = plan.specs.map((spec) => spec.name);
  const dropped = plan.closure.filter((n) => !rescheduled.includes(n));
  if (rescheduled.length === 0) return { rescheduled, dropped, run: { ok: true, aborted: false, groups: [] } };
  const up = await s.phase('up', () => submitProvision(ctx, s.worker.stateId, plan.specs, rescheduled));
  if (!up) return { rescheduled, dropped, run: { ok: false, aborted: true, groups: [] } };
  return { rescheduled, dropped, run: { ok: up.every((o) => o.state === 'provisioned'), aborted: false, groups: up } };
}

/** The Replacer and Repairer of provision-drift.ts / provision-health.ts, over the database's groups as read at the start. */
function workerReplacer(s: WorkerSession, target: DatabaseTarget, data: StateData): Replacer & Repairer {
  const registry = s.submitContext.registry;
  return {
    groups: () => Object.keys(data.groups),
    drift: (specs) => driftOf(specs, (name) => data.groups[name], registry),
    replace: (groups, specs) => replaceOnWorkers(s, groups, specs),
    async repairUnhealthy(specs, options) {
      const where = { location: describeTarget(target), dataDir: target.dataDir };
      const unhealthy = await checkStoredGroups(s.submitContext, data, options.groups, where, s.stop);
      if (unhealthy.length === 0) return { unhealthy, replaced: undefined };
      return {
        unhealthy,
        replaced: await replaceOnWorkers(
          s,
          unhealthy.map((u) => u.group),
          specs,
        ),
      };
    },
  };
}

export async function provisionOnWorkers(ctx: TaskContext, config: ResolvedConfig, target: DatabaseTarget): Promise<number> {
  const { args, io } = ctx;
  return withWorkerSession(ctx, target, !args.noWork, async (s) => {
    const started = performance.now();
    const data = await readStateData(s.submitContext, s.worker.stateId);
    const known = new Set([...config.groups.map((g) => g.name), ...Object.keys(data.groups)]);
    for (const g of args.groups)
      if (!known.has(g)) throw new ConfigError(`Unknown group ${JSON.stringify(g)}; groups: ${[...known].join(', ') || '(none)'}.`);
    const targets = args.groups.length > 0 ? args.groups : config.groups.map((g) => g.name);
    const replacer = workerReplacer(s, target, data);
    const replaceFailed = await replaceOrWarnDrift(replacer, config, targets, args, io);
    if (replaceFailed !== undefined) return replaceFailed;
    if (!args.noCheck) {
      // After a replace the state read at the start is stale: check what is there now.
      const now = await readStateData(s.submitContext, s.worker.stateId);
      const repairFailed = await repairUnhealthy(workerReplacer(s, target, now), config, targets, args, io);
      if (repairFailed !== undefined) return repairFailed;
    }
    const outcomes = await s.phase('up', () => submitProvision(s.submitContext, s.worker.stateId, selectGroups(config, targets), targets));
    if (!outcomes) return ExitCode.Interrupted;
    return report(
      io,
      outcomes,
      outcomes.every((o) => o.state === 'provisioned'),
      'Provisioned',
      performance.now() - started,
    );
  });
}

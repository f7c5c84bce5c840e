import { needsShutdown, resumeIndex } from '../state/transitions.js';
import { GroupState, StepState } from '../state/types.js';
import { executorOf, prepared, type Queryable } from './db.js';
import { notifyEvent } from './notify.js';
import { JobKind, type StepJob, type StepQueue } from './queue.js';
import type { ClaimedStep } from './claim.js';
import type { LeaseKey } from './lease.js';
import {
  dependencyOutputs,
  dependencyStates,
  lockDependents,
  dependentsOf,
  lockGroup,
  lockGroupSteps,
  writeGroup,
  type LockedGroup,
  type StepRow,
} from './rows.js';

/** What a transaction that moves the work on needs. */
export interface FlowTx {
  db: Queryable;
  queue: StepQueue;
  state: string;
}

/**
 * Enqueue a new attempt of a step unless one is queued or running already
 * (idempotent: two submitters, or a submitter and a worker, may both call it).
 */
export async function enqueueStep(tx: FlowTx, group: string, row: StepRow, kind: JobKind): Promise<void> {
  if (await tx.queue.activeJobOf(executorOf(tx.db), { state: tx.state, group, step: row.idx, attempt: row.attempt, kind })) return;
  const attempt = row.attempt + 1;
  await tx.db.query(
    prepared('bump_attempt', `update groundwork.steps set attempt = $4, worker = null where state = $1 and group_name = $2 and idx = $3`, [
      tx.state,
      group,
      row.idx,
      attempt,
    ]),
  );
  row.attempt = attempt;
  row.worker = null;
  await tx.queue.enqueue(executorOf(tx.db), { state: tx.state, group, step: row.idx, attempt, kind }, { fresh: true });
}

/**
 * The job of a step the committing worker takes itself, straight on (its
 * group's next step, or a dependent's first): a new attempt, with no pg-boss
 * job — the step row (worker and attempt, written by markRunning in the same
 * commit) and the worker's lease are its claim, and the sweeper hands it on
 * if that worker dies, as it does any running step.
 */
export function takeStep(tx: FlowTx, group: string, row: StepRow, kind: JobKind): StepJob {
  return { state: tx.state, group, step: row.idx, attempt: row.attempt + 1, kind };
}

/** A group that may start now, locked: its first unfinished step, and its dependencies' outputs. */
interface ReadyGroup extends LockedGroup {
  row: StepRow;
  dependencies: ClaimedStep['dependencies'];
}

/** The step a group would start with now, if it may: pending or provisioning, dependencies provisioned, not running already. */
export function readyRow({ fields, steps }: LockedGroup, stateOf: (group: string) => string | undefined): StepRow | undefined {
  if (fields.state !== GroupState.Pending && fields.state !== GroupState.Provisioning) return undefined;
  if (fields.dependsOn.some((d) => stateOf(d) !== GroupState.Provisioned)) return undefined;
  const row = steps[resumeIndex(steps.map((s) => s.record.state))];
  if (!row) return undefined;
  if (row.worker && (row.record.state === StepState.Running || row.record.state === StepState.Stopping)) return undefined; // the sweeper's
  return row;
}

/** A dependent's first step taken by the committing worker (to claim with markRunning in the same transaction). */
export interface TakenGroup extends ReadyGroup {
  job: StepJob;
}

/**
 * After a group is provisioned: start each pending dependent whose dependencies
 * are now all provisioned. With `lease`, the first of them is taken by the
 * committing worker itself (its lease first, as for a group's next step),
 * saving the NOTIFY → fetch → claim round of another worker; the rest are queued.
 */
export async function startDependents(
  tx: FlowTx,
  group: string,
  lease?: (key: LeaseKey) => Promise<boolean>,
): Promise<TakenGroup | undefined> {
  let took: TakenGroup | undefined;
  const dependents = await lockDependents(tx.db, tx.state, group);
  const states = await dependencyStates(tx.db, tx.state, [...new Set(dependents.flatMap((d) => d.fields.dependsOn))]);
  for (const locked of dependents) {
    const row = readyRow(locked, (name) => states.get(name)?.state);
    if (!row) continue;
    const dependent = locked.fields.name;
    if (!took && lease !== undefined && (await lease({ state: tx.state, group: dependent }))) {
      const own = new Map(locked.fields.dependsOn.map((name) => [name, states.get(name)!] as const));
      took = { ...locked, row, dependencies: dependencyOutputs(own), job: takeStep(tx, dependent, row, JobKind.Up) };
    } else await enqueueStep(tx, dependent, row, JobKind.Up);
  }
  return took;
}

/** A failed group blocks its pending dependents (and theirs), as in the single process. */
export async function blockDependents(tx: FlowTx, group: string): Promise<void> {
  const queue = [group];
  while (queue.length > 0) {
    const failed = queue.shift()!;
    for (const dependent of await dependentsOf(tx.db, tx.state, failed)) {
      const fields = await lockGroup(tx.db, tx.state, dependent);
      if (!fields || fields.state !== GroupState.Pending) continue;
      await writeGroup(tx.db, tx.state, { ...fields, state: GroupState.Blocked, blockedBy: [failed] });
      await notifyEvent(tx.db, tx.state, 'group:blocked', { group: dependent, blockedBy: [failed] });
      queue.push(dependent);
    }
  }
}

/** The highest step below `below` that needs a shutdown. */
export function nextDown(steps: readonly StepRow[], below: number): StepRow | undefined {
  for (let i = Math.min(below, steps.length) - 1; i >= 0; i--) if (needsShutdown(steps[i]!.record.state)) return steps[i];
  return undefined;
}

/**
 * Start a deprovisioning group's shutdowns (last step first) once no group
 * depends on it any more; a group with nothing to shut down leaves the state
 * at once, and its own dependencies may then start theirs.
 */
export async function startGroupDown(tx: FlowTx, group: string): Promise<void> {
  const locked = await lockGroupSteps(tx.db, tx.state, group);
  if (!locked || locked.fields.state !== GroupState.Deprovisioning) return;
  if ((await dependentsOf(tx.db, tx.state, group)).length > 0) return;
  const { fields, steps } = locked;
  if (steps.some((s) => s.worker && (s.record.state === StepState.Stopping || s.record.state === StepState.Running))) return;
  const row = nextDown(steps, steps.length);
  if (row) {
    await enqueueStep(tx, group, row, JobKind.Down);
    return;
  }
  await removeGroup(tx, group, fields.dependsOn);
}

/** Remove a group whose shutdowns are done, then let its dependencies go on. */
export async function removeGroup(tx: FlowTx, group: string, dependsOn: readonly string[]): Promise<void> {
  await tx.db.query(`delete from groundwork.groups where state = $1 and name = $2`, [tx.state, group]);
  await notifyEvent(tx.db, tx.state, 'deprovision:finish', { group, durationMs: 0, failures: [] });
  for (const dep of dependsOn) await startGroupDown(tx, dep);
}

import { StepFencedError } from '../errors.js';
import { errorRecord } from '../scheduler/runtime.js';
import { GroupState, StepState, type StepRecord } from '../state/types.js';
import { executorOf } from './db.js';
import { markRunning, type ClaimedStep } from './claim.js';
import { goOnPastFailedShutdown, isForced } from './forced.js';
import { blockDependents, enqueueStep, nextDown, removeGroup, startDependents, type FlowTx } from './flow.js';
import type { Leases } from './lease.js';
import { notifyEvent, notifyEvents, wireError } from './notify.js';
import { JobKind } from './queue.js';
import { lockGroup, lockSteps, writeGroup, writeStepFenced } from './rows.js';

/** How a step ended, as the worker hands it to commitStep. */
export type StepEnd = { ok: true; record: StepRecord; durationMs: number } | { ok: false; record: StepRecord; error: Error };

/**
 * One transaction: the step's result (fenced: only if this attempt is still
 * the current one), the group's transition, the jobs it makes ready — the
 * group's next step, taken by this worker, or the dependents' first steps (or,
 * tearing down, the dependencies' last) — and the completion of its own job.
 * Returns the next step this worker goes straight on with, if any: its
 * group's next step, or a dependent's first step that this commit made ready. Throws
 * StepFencedError (and changes nothing) if the attempt was taken over.
 */
export async function commitStep(
  tx: FlowTx,
  leases: Pick<Leases, 'acquire'>,
  worker: string,
  claimed: ClaimedStep,
  end: StepEnd,
  goOn: boolean,
): Promise<ClaimedStep | undefined> {
  const { job } = claimed;
  const where = { group: job.group, step: job.step, provisioner: claimed.record.provisioner.class };
  const fields = await lockGroup(tx.db, tx.state, job.group);
  if (!fields || !(await writeStepFenced(tx.db, { state: tx.state, group: job.group, step: job.step }, job.attempt, worker, end.record)))
    throw new StepFencedError(where, job.attempt, worker);
  await tx.queue.complete(executorOf(tx.db), claimed.jobId);
  const up = job.kind === JobKind.Up;
  const now = new Date().toISOString();
  if (!end.ok) {
    if (!up && isForced(fields)) return goOnPastFailedShutdown(tx, where, end.record, end.error, worker, fields); // --force (pg-parity)
    const error = errorRecord(end.error, job.step);
    await writeGroup(tx.db, tx.state, { ...fields, state: GroupState.Failed, error, finishedAt: now });
    const wire = { ...where, error: wireError(end.error), worker };
    if (up) {
      await notifyEvent(tx.db, tx.state, 'step:fail', wire);
      await notifyEvent(tx.db, tx.state, 'group:fail', { group: job.group, error: wireError(end.error) });
      await blockDependents(tx, job.group);
    } else {
      await notifyEvent(tx.db, tx.state, 'shutdown:fail', { ...wire, forced: false });
      await notifyEvent(tx.db, tx.state, 'deprovision:fail', { group: job.group, error: wireError(end.error) });
    }
    return undefined;
  }
  // Sent with the next step's events, or the group's, in one round trip (same order as before).
  const finished: [string, Record<string, unknown>] = [
    up ? 'step:finish' : 'shutdown:finish',
    { ...where, durationMs: Math.round(end.durationMs), worker },
  ];
  const steps = await lockSteps(tx.db, tx.state, job.group);
  const next = up ? steps[job.step + 1] : nextDown(steps, job.step);
  if (next) {
    const kind = up ? JobKind.Up : JobKind.Down;
    const nextKey = { state: tx.state, group: job.group, step: next.idx };
    // The lease first: if it cannot be had, the next step goes through the queue like any other.
    // Stopping (SIGINT/SIGTERM): the next step is left to the other workers.
    const leased = goOn && (await leases.acquire(nextKey));
    const taken = await enqueueStep(tx, job.group, next, kind, leased);
    if (!leased || !taken) {
      await notifyEvent(tx.db, tx.state, ...finished);
      return undefined;
    }
    // Same group, same dependencies: their outputs as read at this attempt chain's claim.
    const next_ = { ...job, step: next.idx, attempt: taken.attempt, kind };
    return markRunning(tx, worker, taken.jobId, next_, fields, steps, next, [finished], up ? claimed.dependencies : undefined);
  }
  if (up) {
    await writeGroup(tx.db, tx.state, { ...fields, state: GroupState.Provisioned, finishedAt: now });
    const durationMs = fields.startedAt ? Date.now() - Date.parse(fields.startedAt) : 0;
    await notifyEvents(tx.db, tx.state, [finished, ['group:finish', { group: job.group, durationMs }]]);
    const took = await startDependents(tx, job.group, goOn ? (key) => leases.acquire(key) : undefined);
    if (took) {
      const first = { state: tx.state, group: took.group, step: took.row.idx, attempt: took.taken.attempt, kind: JobKind.Up };
      return markRunning(tx, worker, took.taken.jobId, first, took.fields, took.steps, took.row);
    }
  } else {
    await notifyEvent(tx.db, tx.state, ...finished);
    await removeGroup(tx, job.group, fields.dependsOn);
  }
  return undefined;
}

/** The record of a step that ended, from what was on record when it was claimed. */
export function endRecord(claimed: ClaimedStep, patch: Partial<StepRecord>, ok: boolean): StepRecord {
  const up = claimed.job.kind === JobKind.Up;
  const state = up ? (ok ? StepState.Done : StepState.Failed) : ok ? StepState.Stopped : StepState.StopFailed;
  const record: StepRecord = { ...claimed.record, ...patch, state, finishedAt: new Date().toISOString() };
  if (ok) delete record.error;
  return record;
}

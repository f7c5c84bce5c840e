import { StepFencedError } from '../errors.js';
import { errorRecord } from '../scheduler/runtime.js';
import { GroupState, StepState, type StepRecord } from '../state/types.js';
import { executorOf } from './db.js';
import { markRunning, type ClaimedStep } from './claim.js';
import { goOnPastFailedShutdown, isForced } from './forced.js';
import { blockDependents, enqueueStep, nextDown, removeGroup, startDependents, takeStep, type FlowTx } from './flow.js';
import type { Leases } from './lease.js';
import { notifyEvent, wireError } from './notify.js';
import { JobKind } from './queue.js';
import { lockGroupSteps, writeRows, type RowWrites, type StepWrite } from './rows.js';

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
  const locked = await lockGroupSteps(tx.db, tx.state, job.group);
  const mine = locked?.steps[job.step];
  // The fence: only the attempt the step row names, run by this worker, may write (the row stays locked until commit).
  if (!locked || !mine || mine.attempt !== job.attempt || mine.worker !== worker) throw new StepFencedError(where, job.attempt, worker);
  if (claimed.jobId) await tx.queue.complete(executorOf(tx.db), claimed.jobId);
  mine.record = end.record; // the next step's input is read from here
  const { fields, steps } = locked;
  const result: StepWrite = { group: job.group, idx: job.step, record: end.record, attempt: job.attempt, worker };
  const up = job.kind === JobKind.Up;
  const now = new Date().toISOString();
  if (!end.ok) {
    if (!up && isForced(fields)) return goOnPastFailedShutdown(tx, locked, result, where, end.error); // --force (pg-parity)
    const error = errorRecord(end.error, job.step);
    const wire = { ...where, error: wireError(end.error), worker };
    const failed = { group: job.group, error: wireError(end.error) };
    const events: RowWrites['events'] = up
      ? [
          ['step:fail', wire],
          ['group:fail', failed],
        ]
      : [
          ['shutdown:fail', { ...wire, forced: false }],
          ['deprovision:fail', failed],
        ];
    await writeRows(tx.db, tx.state, {
      steps: [result],
      groups: [{ ...fields, state: GroupState.Failed, error, finishedAt: now }],
      events,
    });
    if (up) await blockDependents(tx, job.group);
    return undefined;
  }
  // Sent with the next step's events, or the group's, in the same statement.
  const finished: [string, Record<string, unknown>] = [
    up ? 'step:finish' : 'shutdown:finish',
    { ...where, durationMs: Math.round(end.durationMs), worker },
  ];
  const next = up ? steps[job.step + 1] : nextDown(steps, job.step);
  if (next) {
    const kind = up ? JobKind.Up : JobKind.Down;
    // The lease first: if it cannot be had, the next step goes through the queue like any other.
    // Stopping (SIGINT/SIGTERM): the next step is left to the other workers.
    if (!goOn || !(await leases.acquire({ state: tx.state, group: job.group }))) {
      await writeRows(tx.db, tx.state, { steps: [result], events: [finished] });
      await enqueueStep(tx, job.group, next, kind);
      return undefined;
    }
    // Same group, same dependencies: their outputs as read at this attempt chain's claim.
    const pending = { steps: [result], events: [finished] };
    return markRunning(
      tx,
      worker,
      undefined,
      takeStep(tx, job.group, next, kind),
      locked,
      next,
      pending,
      up ? claimed.dependencies : undefined,
    );
  }
  if (up) {
    const durationMs = fields.startedAt ? Date.now() - Date.parse(fields.startedAt) : 0;
    const provisioned = { ...fields, state: GroupState.Provisioned, finishedAt: now };
    // Written before the dependents are looked at: their readiness reads this group's state.
    await writeRows(tx.db, tx.state, {
      steps: [result],
      groups: [provisioned],
      events: [finished, ['group:finish', { group: job.group, durationMs }]],
    });
    const took = await startDependents(tx, job.group, goOn ? (key) => leases.acquire(key) : undefined);
    if (took) return markRunning(tx, worker, undefined, took.job, took, took.row, {}, took.dependencies);
  } else {
    await notifyEvent(tx.db, tx.state, ...finished); // the group's rows go with it
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

import { needsShutdown } from '../state/transitions.js';
import { GroupState, StepState, type StepRecord } from '../state/types.js';
import type { ValueSnapshot } from '../serialize/codec.js';
import { executorOf } from './db.js';
import type { Leases } from './lease.js';
import { JobKind, type StepJob } from './queue.js';
import { dependencyOutputs, dependencyStates, lockGroupSteps, writeRows, type LockedGroup, type RowWrites, type StepRow } from './rows.js';
import type { FlowTx } from './flow.js';

/** A step attempt this worker now runs: everything its ctx needs, read in the transaction that claimed it. */
export interface ClaimedStep {
  job: StepJob;
  /** Its pg-boss job, completed by the step's commit; none for a step its worker took straight on (see takeStep). */
  jobId: string | undefined;
  record: StepRecord;
  /** The previous step's recorded return value (the startup's input). */
  input: ValueSnapshot | undefined;
  /** The final outputs of the group's dependencies, by name (recorded snapshots). */
  dependencies: Record<string, ValueSnapshot | undefined>;
  stepCount: number;
  resumed: boolean;
}

/** How long a job waits when its step's lease is still held (given back within a commit's time). */
export const LEASE_HELD_RETRY_MS = 200;

/**
 * Claim the step of a job just fetched (in the same transaction, so a job is
 * active only while its step is claimed): its attempt must be the step's
 * current one, unclaimed, and still need doing; the lease is taken first.
 * A stale job (an older attempt, a step done already) is completed and skipped.
 * A wanted step whose lease a session still holds (a worker gives leases back
 * just after its commit) is put back in the queue for a moment, not dropped.
 */
export async function claimJob(
  tx: FlowTx,
  leases: Leases,
  worker: string,
  jobId: string,
  job: StepJob,
): Promise<ClaimedStep | 'stale' | 'lease-held'> {
  const locked = await lockGroupSteps(tx.db, tx.state, job.group);
  const row = locked?.steps[job.step];
  const wanted =
    row !== undefined &&
    row.attempt === job.attempt &&
    row.worker === null &&
    (job.kind === JobKind.Up ? row.record.state !== StepState.Done : needsShutdown(row.record.state));
  if (!locked || !row || !wanted) {
    await tx.queue.discard(executorOf(tx.db), jobId);
    return 'stale';
  }
  if (!(await leases.acquire(job))) {
    await tx.queue.postpone(executorOf(tx.db), jobId, LEASE_HELD_RETRY_MS);
    return 'lease-held';
  }
  return markRunning(tx, worker, jobId, job, locked, row);
}

/**
 * Write that `worker` runs this attempt (step running or stopping, with the
 * job's attempt; the group's start), with the events — after `pending`'s
 * writes and events, all in one statement. `dependencies`: the group's
 * dependency outputs when the caller has them already (the group's previous
 * step was claimed with them), saving the read.
 */
export async function markRunning(
  tx: FlowTx,
  worker: string,
  jobId: string | undefined,
  job: StepJob,
  locked: LockedGroup,
  row: StepRow,
  pending: RowWrites = {},
  dependencies?: ClaimedStep['dependencies'],
): Promise<ClaimedStep> {
  const { fields, steps } = locked;
  const up = job.kind === JobKind.Up;
  const now = new Date().toISOString();
  const resumed = row.record.state !== StepState.Pending && row.record.state !== StepState.Done;
  const record: StepRecord = { ...row.record, state: up ? StepState.Running : StepState.Stopping };
  if (up) record.startedAt = now;
  delete record.error;
  const provisioner = row.record.provisioner.class;
  const groups = [...(pending.groups ?? [])];
  const events = [...(pending.events ?? [])];
  if (up && fields.state !== GroupState.Provisioning) {
    const { finishedAt: _f, error: _e, blockedBy: _b, ...rest } = fields;
    groups.push({ ...rest, state: GroupState.Provisioning, startedAt: now });
    events.push(['group:start', { group: job.group, resumeAt: job.step }]);
  }
  if (!up && job.step === lastNeedingShutdown(steps)) events.push(['deprovision:start', { group: job.group }]);
  events.push([up ? 'step:start' : 'shutdown:start', { group: job.group, step: job.step, provisioner, resumed, worker }]);
  const claim = { group: job.group, idx: job.step, record, attempt: job.attempt, worker };
  await writeRows(tx.db, tx.state, { steps: [...(pending.steps ?? []), claim], groups, events });
  return {
    job,
    jobId,
    record,
    input: job.step > 0 ? steps[job.step - 1]?.record.output : undefined,
    dependencies: dependencies ?? dependencyOutputs(await dependencyStates(tx.db, tx.state, fields.dependsOn)),
    stepCount: steps.length,
    resumed,
  };
}

function lastNeedingShutdown(steps: readonly StepRow[]): number {
  for (let i = steps.length - 1; i >= 0; i--) if (needsShutdown(steps[i]!.record.state)) return i;
  return -1;
}

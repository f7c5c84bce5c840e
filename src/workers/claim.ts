import { needsShutdown } from '../state/transitions.js';
import { GroupState, StepState, type StepRecord } from '../state/types.js';
import type { ValueSnapshot } from '../serialize/codec.js';
import type { Queryable } from './db.js';
import type { Leases } from './lease.js';
import { notifyEvents } from './notify.js';
import { JobKind, type StepJob } from './queue.js';
import { lockGroup, lockSteps, writeGroup, type GroupFields, type StepRow } from './rows.js';
import type { FlowTx } from './flow.js';

/** A step attempt this worker now runs: everything its ctx needs, read in the transaction that claimed it. */
export interface ClaimedStep {
  job: StepJob;
  jobId: string;
  record: StepRecord;
  /** The previous step's recorded return value (the startup's input). */
  input: ValueSnapshot | undefined;
  /** The final outputs of the group's dependencies, by name (recorded snapshots). */
  dependencies: Record<string, ValueSnapshot | undefined>;
  stepCount: number;
  resumed: boolean;
}

/**
 * Claim the step of a job just fetched (in the same transaction, so a job is
 * active only while its step is claimed): its attempt must be the step's
 * current one, unclaimed, and still need doing; the lease is taken first.
 * A stale job (an older attempt, a step done already) is completed and skipped.
 */
export async function claimJob(tx: FlowTx, leases: Leases, worker: string, jobId: string, job: StepJob): Promise<ClaimedStep | undefined> {
  const key = { state: job.state, group: job.group, step: job.step };
  const fields = await lockGroup(tx.db, tx.state, job.group);
  const steps = fields ? await lockSteps(tx.db, tx.state, job.group) : [];
  const row = steps[job.step];
  const wanted =
    row !== undefined &&
    row.attempt === job.attempt &&
    row.worker === null &&
    (job.kind === JobKind.Up ? row.record.state !== StepState.Done : needsShutdown(row.record.state));
  if (!fields || !row || !wanted || !(await leases.acquire(key))) {
    await tx.db.query(`update pgboss.job set state = 'completed', completed_on = now() where name = $1 and id = $2`, [
      tx.queue.name,
      jobId,
    ]);
    return undefined;
  }
  return markRunning(tx, worker, jobId, job, fields, steps, row);
}

/** The events the committing transaction sends ahead of markRunning's (one NOTIFY round trip for all). */
export type PendingEvents = Array<[string, Record<string, unknown>]>;

/**
 * Write that `worker` runs this attempt (step running or stopping, the group's
 * start), with the events (after `pending`, in one statement). `dependencies`:
 * the group's dependency outputs when the caller has them already (the
 * group's previous step was claimed with them), saving the read.
 */
export async function markRunning(
  tx: FlowTx,
  worker: string,
  jobId: string,
  job: StepJob,
  fields: GroupFields,
  steps: readonly StepRow[],
  row: StepRow,
  pending: PendingEvents = [],
  dependencies?: ClaimedStep['dependencies'],
): Promise<ClaimedStep> {
  const up = job.kind === JobKind.Up;
  const now = new Date().toISOString();
  const resumed = row.record.state !== StepState.Pending && row.record.state !== StepState.Done;
  const record: StepRecord = { ...row.record, state: up ? StepState.Running : StepState.Stopping };
  if (up) record.startedAt = now;
  delete record.error;
  await tx.db.query(
    `update groundwork.steps set worker = $5, record = $6 where state = $1 and group_name = $2 and idx = $3 and attempt = $4`,
    [tx.state, job.group, job.step, job.attempt, worker, record],
  );
  const provisioner = row.record.provisioner.class;
  const events: PendingEvents = [...pending];
  if (up && fields.state !== GroupState.Provisioning) {
    const { finishedAt: _f, error: _e, blockedBy: _b, ...rest } = fields;
    await writeGroup(tx.db, tx.state, { ...rest, state: GroupState.Provisioning, startedAt: now });
    events.push(['group:start', { group: job.group, resumeAt: job.step }]);
  }
  if (!up && job.step === lastNeedingShutdown(steps)) events.push(['deprovision:start', { group: job.group }]);
  events.push([up ? 'step:start' : 'shutdown:start', { group: job.group, step: job.step, provisioner, resumed, worker }]);
  await notifyEvents(tx.db, tx.state, events);
  return {
    job,
    jobId,
    record,
    input: job.step > 0 ? steps[job.step - 1]?.record.output : undefined,
    dependencies: dependencies ?? (await dependencyOutputs(tx.db, tx.state, fields.dependsOn)),
    stepCount: steps.length,
    resumed,
  };
}

function lastNeedingShutdown(steps: readonly StepRow[]): number {
  for (let i = steps.length - 1; i >= 0; i--) if (needsShutdown(steps[i]!.record.state)) return i;
  return -1;
}

async function dependencyOutputs(
  db: Queryable,
  state: string,
  names: readonly string[],
): Promise<Record<string, ValueSnapshot | undefined>> {
  if (names.length === 0) return {};
  const r = await db.query(
    `select distinct on (group_name) group_name, record from groundwork.steps where state = $1 and group_name = any($2) order by group_name, idx desc`,
    [state, names],
  );
  const out: Record<string, ValueSnapshot | undefined> = {};
  for (const row of r.rows) {
    const rec = row.record as StepRecord;
    out[row.group_name as string] = rec.state === StepState.Done ? rec.output : undefined;
  }
  return out;
}

import { StepFencedError } from '../errors.js';
import { StepState, type StepRecord } from '../state/types.js';
import type { ClaimedStep } from './claim.js';
import type { StepEnd } from './commit.js';
import { prepared, type Queryable } from './db.js';
import { EVENTS_CHANNEL, wireText } from './notify.js';
import { JobKind } from './queue.js';

/**
 * The step a worker may go straight on with in one statement (commitAndTakeNext):
 * its group's next step, after a startup that succeeded, when the step came with
 * no pg-boss job to complete (it was itself taken straight on). Other ends take
 * the full commit (commitStep), which reads and locks the group.
 */
export function straightOn(claimed: ClaimedStep, end: StepEnd): boolean {
  const { job } = claimed;
  return end.ok && job.kind === JobKind.Up && claimed.jobId === undefined && job.step + 1 < claimed.stepCount;
}

/**
 * Commit a step's result and claim its group's next step for this worker, in
 * one autocommitted statement (a pipeline's steps are mostly this case, and a
 * chain of them is as fast as its round trips): the result is written only if
 * this attempt still owns the step (the fence), the next step gets a new
 * attempt owned by this worker only if that write happened, and the events go
 * out with it. The caller holds the group's lease. Throws
 * StepFencedError, changing nothing, if the attempt was taken over.
 */
export async function commitAndTakeNext(db: Queryable, worker: string, claimed: ClaimedStep, end: StepEnd): Promise<ClaimedStep> {
  const { job } = claimed;
  const provisioner = claimed.record.provisioner.class;
  const finished = wireText(job.state, 'step:finish', {
    group: job.group,
    step: job.step,
    provisioner,
    durationMs: Math.round(end.ok ? end.durationMs : 0),
    worker,
  });
  const startedAt = new Date().toISOString();
  // `provisioner` of the next step and `resumed` (from its state before) are filled in by the statement.
  const start = wireText(job.state, 'step:start', { group: job.group, step: job.step + 1, provisioner: '', resumed: false, worker });
  const r = await db.query(
    prepared(
      'commit_and_take_next',
      `with done as (
       update groundwork.steps set record = $6
       where state = $1 and group_name = $2 and idx = $3 and attempt = $4 and worker = $5
       returning idx),
     before as (
       select record->>'state' as st, record->'provisioner'->>'class' as class
       from groundwork.steps where state = $1 and group_name = $2 and idx = $3 + 1),
     next as (
       update groundwork.steps t set record = (t.record - 'error') || $7::jsonb, attempt = t.attempt + 1, worker = $5
       where t.state = $1 and t.group_name = $2 and t.idx = $3 + 1 and exists (select 1 from done)
       returning t.record, t.attempt),
     sent as (
       select pg_notify($8, e.t) from (
         select $9::text as t, 1 as k
         union all
         select jsonb_set(jsonb_set($10::jsonb, '{payload,resumed}', to_jsonb(b.st not in ('pending', 'done'))),
                          '{payload,provisioner}', to_jsonb(b.class))::text, 2
         from before b
       ) e where exists (select 1 from next) order by e.k)
     select n.record, n.attempt, (select st from before) as was, (select count(*) from sent) as sent from next n`,
      [
        job.state,
        job.group,
        job.step,
        job.attempt,
        worker,
        end.record,
        { state: StepState.Running, startedAt },
        EVENTS_CHANNEL,
        finished,
        start,
      ],
    ),
  );
  const row = r.rows[0] as { record: StepRecord; attempt: number; was: string } | undefined;
  if (!row) throw new StepFencedError({ group: job.group, step: job.step, provisioner }, job.attempt, worker);
  return {
    job: { ...job, step: job.step + 1, attempt: row.attempt },
    jobId: undefined,
    record: row.record,
    input: end.record.output,
    dependencies: claimed.dependencies,
    stepCount: claimed.stepCount,
    resumed: row.was !== StepState.Pending && row.was !== StepState.Done,
  };
}

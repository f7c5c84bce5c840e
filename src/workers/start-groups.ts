import type { StepRecord } from '../state/types.js';
import { executorOf } from './db.js';
import { readyRow, type FlowTx } from './flow.js';
import { JobKind, jobKey, type StepJob } from './queue.js';
import { lockStepsOf, writeRows, type GroupFields, type StepWrite } from './rows.js';

/**
 * Queue the first unfinished step of each of `groups` that may start now, in a
 * fixed number of statements whatever their number (a submit of 1,000 groups
 * is not 1,000 round trips). `groups`: locked by the caller, in this order, with
 * every dependency among them (a dependency closure), so readiness is read
 * from them. Idempotent as enqueueStep: a step with a live job is left alone.
 */
export async function startGroupsUp(tx: FlowTx, groups: ReadonlyMap<string, GroupFields>): Promise<void> {
  const names = [...groups.keys()];
  const steps = await lockStepsOf(tx.db, tx.state, names);
  const ready: Array<{ group: string; idx: number; record: StepRecord; attempt: number }> = [];
  for (const [group, fields] of groups) {
    const row = readyRow({ fields, steps: steps.get(group) ?? [] }, (name) => groups.get(name)?.state);
    if (row) ready.push({ group, idx: row.idx, record: row.record, attempt: row.attempt });
  }
  const db = executorOf(tx.db);
  const current = (r: (typeof ready)[number]): StepJob => ({
    state: tx.state,
    group: r.group,
    step: r.idx,
    attempt: r.attempt,
    kind: JobKind.Up,
  });
  const active = await tx.queue.activeKeys(db, ready.map(current));
  const fresh = ready.filter((r) => !active.has(jobKey(current(r))));
  const bumped: StepWrite[] = fresh.map((r) => ({ group: r.group, idx: r.idx, record: r.record, attempt: r.attempt + 1, worker: null }));
  if (bumped.length === 0) return;
  await writeRows(tx.db, tx.state, { steps: bumped });
  await tx.queue.enqueueMany(
    db,
    bumped.map((b) => ({ state: tx.state, group: b.group, step: b.idx, attempt: b.attempt, kind: JobKind.Up })),
  );
}

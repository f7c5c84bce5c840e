import { randomUUID } from 'node:crypto';
import { STATE_VERSION, type GroupRecord, type StepRecord } from '../state/types.js';
import type { Queryable } from './db.js';

/** A step row: its record, the attempt allowed to write it, and the worker that runs (or ran) it. */
export interface StepRow {
  idx: number;
  record: StepRecord;
  attempt: number;
  worker: string | null;
}

export type GroupFields = Omit<GroupRecord, 'steps'>;

export interface StateRows {
  id: string;
  groups: Map<string, { fields: GroupFields; steps: StepRow[] }>;
}

/** The state row (made if missing: several states share a database, by name). */
export async function ensureStateRow(db: Queryable, state: string): Promise<string> {
  await db.query(`insert into groundwork.states (name, id, created_at, version) values ($1, $2, now(), $3) on conflict (name) do nothing`, [
    state,
    randomUUID(),
    STATE_VERSION,
  ]);
  const r = await db.query(`select id from groundwork.states where name = $1`, [state]);
  return r.rows[0].id as string;
}

export async function readState(db: Queryable, state: string): Promise<StateRows | undefined> {
  const s = await db.query(`select id from groundwork.states where name = $1`, [state]);
  if (s.rows.length === 0) return undefined;
  const groups = new Map<string, { fields: GroupFields; steps: StepRow[] }>();
  const g = await db.query(`select name, record from groundwork.groups where state = $1 order by seq`, [state]);
  for (const row of g.rows) groups.set(row.name as string, { fields: row.record as GroupFields, steps: [] });
  const st = await db.query(
    `select group_name, idx, record, attempt, worker from groundwork.steps where state = $1 order by group_name, idx`,
    [state],
  );
  for (const row of st.rows) {
    groups.get(row.group_name as string)?.steps.push({
      idx: row.idx as number,
      record: row.record as StepRecord,
      attempt: row.attempt as number,
      worker: row.worker as string | null,
    });
  }
  return { id: s.rows[0].id as string, groups };
}

/** The whole GroupRecord (fields and steps), as the scheduler's modules know it. */
export function groupRecord(g: { fields: GroupFields; steps: StepRow[] }): GroupRecord {
  return { ...g.fields, steps: g.steps.map((s) => s.record) };
}

export async function lockGroup(db: Queryable, state: string, name: string): Promise<GroupFields | undefined> {
  const r = await db.query(`select record from groundwork.groups where state = $1 and name = $2 for update`, [state, name]);
  return r.rows[0]?.record as GroupFields | undefined;
}

export async function writeGroup(db: Queryable, state: string, fields: GroupFields): Promise<void> {
  await db.query(`update groundwork.groups set record = $3 where state = $1 and name = $2`, [state, fields.name, fields]);
}

export async function lockSteps(db: Queryable, state: string, group: string): Promise<StepRow[]> {
  const r = await db.query(
    `select idx, record, attempt, worker from groundwork.steps where state = $1 and group_name = $2 order by idx for update`,
    [state, group],
  );
  return r.rows.map((row) => ({ idx: row.idx, record: row.record, attempt: row.attempt, worker: row.worker }) as StepRow);
}

/**
 * Write a step's record only if `attempt` (run by `worker`) is still the one
 * allowed to: the fence. Returns false when another attempt has taken over.
 */
export async function writeStepFenced(
  db: Queryable,
  key: { state: string; group: string; step: number },
  attempt: number,
  worker: string,
  record: StepRecord,
): Promise<boolean> {
  const r = await db.query(
    `update groundwork.steps set record = $6 where state = $1 and group_name = $2 and idx = $3 and attempt = $4 and worker = $5`,
    [key.state, key.group, key.step, attempt, worker, record],
  );
  return r.rowCount === 1;
}

/** Groups of `state` whose dependsOn names `name`. */
export async function dependentsOf(db: Queryable, state: string, name: string): Promise<string[]> {
  const r = await db.query(`select name from groundwork.groups where state = $1 and record->'dependsOn' ? $2 order by seq`, [state, name]);
  return r.rows.map((row) => row.name as string);
}

export async function groupStates(db: Queryable, state: string, names: readonly string[]): Promise<Map<string, string>> {
  const r = await db.query(`select name, record->>'state' as st from groundwork.groups where state = $1 and name = any($2)`, [
    state,
    names,
  ]);
  return new Map(r.rows.map((row) => [row.name as string, row.st as string]));
}

/** Insert scheduled groups; a group already there (another submitter was first) is left as it is. */
export async function insertGroups(db: Queryable, state: string, records: readonly GroupRecord[]): Promise<string[]> {
  const added: string[] = [];
  for (const record of records) {
    const { steps, ...fields } = record;
    const r = await db.query(`insert into groundwork.groups (state, name, record) values ($1, $2, $3) on conflict do nothing`, [
      state,
      record.name,
      fields,
    ]);
    if (r.rowCount !== 1) continue;
    added.push(record.name);
    for (const [idx, step] of steps.entries()) {
      await db.query(`insert into groundwork.steps (state, group_name, idx, record) values ($1, $2, $3, $4)`, [
        state,
        record.name,
        idx,
        step,
      ]);
    }
  }
  return added;
}

import { randomUUID } from 'node:crypto';
import type { ValueSnapshot } from '../serialize/codec.js';
import { STATE_VERSION, StepState, type GroupRecord, type StepRecord } from '../state/types.js';
import { prepared, type Queryable } from './db.js';
import { EVENTS_CHANNEL, wireText } from './notify.js';

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
  const r = await db.query(
    prepared('lock_group', `select record from groundwork.groups where state = $1 and name = $2 for update`, [state, name]),
  );
  return r.rows[0]?.record as GroupFields | undefined;
}

/**
 * Lock these groups in this order, in one statement (rows are locked as the sort emits them).
 * Callers pass an order that agrees with the workers' commits — dependencies first when
 * provisioning, dependents first when tearing down — so the two cannot deadlock.
 */
export async function lockGroupsInOrder(db: Queryable, state: string, names: readonly string[]): Promise<Map<string, GroupFields>> {
  const r = await db.query(
    `select name, record from groundwork.groups where state = $1 and name = any($2::text[])
     order by array_position($2::text[], name) for update`,
    [state, names],
  );
  return new Map(r.rows.map((row) => [row.name as string, row.record as GroupFields]));
}

/** The steps of these groups, locked group by group in this order (each group's row locked before by the caller). */
export async function lockStepsOf(db: Queryable, state: string, groups: readonly string[]): Promise<Map<string, StepRow[]>> {
  const r = await db.query(
    `select group_name, idx, record, attempt, worker from groundwork.steps where state = $1 and group_name = any($2::text[])
     order by array_position($2::text[], group_name), idx for update`,
    [state, groups],
  );
  const out = new Map<string, StepRow[]>(groups.map((g) => [g, []]));
  for (const row of r.rows) out.get(row.group_name as string)?.push(stepRow(row));
  return out;
}

export async function writeGroup(db: Queryable, state: string, fields: GroupFields): Promise<void> {
  await db.query(
    prepared(
      'write_group',
      `update groundwork.groups set record = $3, depends_on = array(select jsonb_array_elements_text($3::jsonb->'dependsOn')) where state = $1 and name = $2`,
      [state, fields.name, fields],
    ),
  );
}

export async function lockSteps(db: Queryable, state: string, group: string): Promise<StepRow[]> {
  const r = await db.query(
    `select idx, record, attempt, worker from groundwork.steps where state = $1 and group_name = $2 order by idx for update`,
    [state, group],
  );
  return r.rows.map(stepRow);
}

/** A group and its steps, locked (group row first, as lockGroup then lockSteps), in one round trip. */
export async function lockGroupSteps(db: Queryable, state: string, group: string): Promise<LockedGroup | undefined> {
  const r = await db.query(
    prepared(
      'lock_group_steps',
      `select g.record as group_record, s.idx, s.record, s.attempt, s.worker
     from groundwork.groups g join groundwork.steps s on s.state = g.state and s.group_name = g.name
     where g.state = $1 and g.name = $2 order by s.idx for update`,
      [state, group],
    ),
  );
  if (r.rows.length === 0) {
    // A group without steps (the join has no row for it).
    const fields = await lockGroup(db, state, group);
    return fields ? { fields, steps: [] } : undefined;
  }
  return { fields: r.rows[0].group_record as GroupFields, steps: r.rows.map(stepRow) };
}

export interface LockedGroup {
  fields: GroupFields;
  steps: StepRow[];
}

function stepRow(row: Record<string, unknown>): StepRow {
  return { idx: row['idx'], record: row['record'], attempt: row['attempt'], worker: row['worker'] } as StepRow;
}

/** A step row as written back: its record, and the attempt and worker that own it now. */
export interface StepWrite {
  group: string;
  idx: number;
  record: StepRecord;
  attempt: number;
  worker: string | null;
}

/** What one writeRows statement changes and sends. */
export interface RowWrites {
  steps?: readonly StepWrite[];
  groups?: readonly GroupFields[];
  /** Scheduler events, delivered on commit in this order. */
  events?: ReadonlyArray<readonly [string, Record<string, unknown>]>;
}

/**
 * Several step rows, group records and events in one statement (one round
 * trip instead of one per row). The caller holds the rows' locks (taken in
 * this transaction, checked against the attempt it owns): that is the fence.
 */
export async function writeRows(db: Queryable, state: string, writes: RowWrites): Promise<void> {
  const steps = (writes.steps ?? []).map((s) => ({
    group_name: s.group,
    idx: s.idx,
    record: s.record,
    attempt: s.attempt,
    worker: s.worker,
  }));
  const groups = (writes.groups ?? []).map((g) => ({ name: g.name, record: g }));
  const events = (writes.events ?? []).map(([type, payload]) => wireText(state, type, payload));
  if (steps.length + groups.length + events.length === 0) return;
  await db.query(
    prepared(
      'write_rows',
      // The `= any($6/$7)` conditions are for the planner: it cannot see how few rows a
      // jsonb_to_recordset holds, and would scan the state's whole table to join them.
      `with s as (
       update groundwork.steps t set record = v.record, attempt = v.attempt, worker = v.worker
       from jsonb_to_recordset($2::jsonb) as v(group_name text, idx int, record jsonb, attempt int, worker text)
       where t.state = $1 and t.group_name = any($6::text[]) and t.group_name = v.group_name and t.idx = v.idx returning 1),
     g as (
       update groundwork.groups t set record = v.record, depends_on = array(select jsonb_array_elements_text(v.record->'dependsOn'))
       from jsonb_to_recordset($3::jsonb) as v(name text, record jsonb)
       where t.state = $1 and t.name = any($7::text[]) and t.name = v.name returning 1),
     n as (select pg_notify($4, e.t) from unnest($5::text[]) with ordinality as e(t, k) order by k)
     select (select count(*) from s) as steps, (select count(*) from g) as groups, (select count(*) from n) as events`,
      [
        state,
        JSON.stringify(steps),
        JSON.stringify(groups),
        EVENTS_CHANNEL,
        events,
        [...new Set(steps.map((s) => s.group_name))],
        groups.map((g) => g.name),
      ],
    ),
  );
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
    prepared(
      'write_step_fenced',
      `update groundwork.steps set record = $6 where state = $1 and group_name = $2 and idx = $3 and attempt = $4 and worker = $5`,
      [key.state, key.group, key.step, attempt, worker, record],
    ),
  );
  return r.rowCount === 1;
}

/** Groups of `state` whose dependsOn names `name`. */
export async function dependentsOf(db: Queryable, state: string, name: string): Promise<string[]> {
  const r = await db.query(
    prepared('dependents_of', `select name from groundwork.groups where state = $1 and depends_on @> array[$2::text] order by seq`, [
      state,
      name,
    ]),
  );
  return r.rows.map((row) => row.name as string);
}

/**
 * The groups that depend on `name` (in scheduling order), each locked with its
 * steps, in one round trip whatever their number. Their dependencies' states
 * must be read after this returns, in a statement of their own (dependencyStates):
 * a statement that waited for one of these locks still reads with the snapshot
 * it started with, and would miss the commit of the dependency it waited for.
 */
export async function lockDependents(db: Queryable, state: string, name: string): Promise<LockedGroup[]> {
  const r = await db.query(
    prepared(
      'lock_dependents',
      `select g.name, g.record as group_record, s.idx, s.record, s.attempt, s.worker
       from groundwork.groups g join groundwork.steps s on s.state = g.state and s.group_name = g.name
       where g.state = $1 and g.depends_on @> array[$2::text]
       order by g.seq, s.idx for update of g, s`,
      [state, name],
    ),
  );
  const out = new Map<string, LockedGroup>();
  for (const row of r.rows) {
    let dependent = out.get(row.name as string);
    if (!dependent) out.set(row.name as string, (dependent = { fields: row.group_record as GroupFields, steps: [] }));
    dependent.steps.push(stepRow(row));
  }
  return [...out.values()];
}

/** A dependency as a dependent's start needs it: its group's state, and its final output if its last step is done. */
export interface DependencyState {
  state: string;
  output: ValueSnapshot | undefined;
}

export async function dependencyStates(db: Queryable, state: string, names: readonly string[]): Promise<Map<string, DependencyState>> {
  if (names.length === 0) return new Map();
  const r = await db.query(
    prepared(
      'dependency_states',
      `select g.name, g.record->>'state' as st,
       (select s.record from groundwork.steps s where s.state = g.state and s.group_name = g.name order by s.idx desc limit 1) as last
     from groundwork.groups g where g.state = $1 and g.name = any($2)`,
      [state, names],
    ),
  );
  return new Map(
    r.rows.map((row) => {
      const last = row.last as StepRecord | null;
      return [row.name as string, { state: row.st as string, output: last?.state === StepState.Done ? last.output : undefined }];
    }),
  );
}

/** The final outputs of these dependencies by name, as a step's ctx.dependencies has them (recorded snapshots). */
export function dependencyOutputs(deps: ReadonlyMap<string, DependencyState>): Record<string, ValueSnapshot | undefined> {
  const out: Record<string, ValueSnapshot | undefined> = {};
  for (const [name, dep] of deps) out[name] = dep.output;
  return out;
}

/**
 * Insert scheduled groups, in two statements whatever their number; a group
 * already there (another submitter was first) is left as it is, steps and all.
 */
export async function insertGroups(db: Queryable, state: string, records: readonly GroupRecord[]): Promise<string[]> {
  if (records.length === 0) return [];
  const groups = records.map(({ steps: _s, ...fields }) => ({ name: fields.name, record: fields }));
  const r = await db.query(
    `insert into groundwork.groups (state, name, record, depends_on)
     select $1, v.name, v.record, array(select jsonb_array_elements_text(v.record->'dependsOn'))
     from rows from (jsonb_to_recordset($2::jsonb) as (name text, record jsonb)) with ordinality as v(name, record, n)
     order by v.n
     on conflict do nothing returning name`,
    [state, JSON.stringify(groups)],
  );
  const added = new Set(r.rows.map((row) => row.name as string));
  const steps = records
    .filter((record) => added.has(record.name))
    .flatMap((record) => record.steps.map((step, idx) => ({ group_name: record.name, idx, record: step })));
  if (steps.length > 0) {
    await db.query(
      `insert into groundwork.steps (state, group_name, idx, record)
       select $1, v.group_name, v.idx, v.record from jsonb_to_recordset($2::jsonb) as v(group_name text, idx int, record jsonb)`,
      [state, JSON.stringify(steps)],
    );
  }
  return records.map((record) => record.name).filter((name) => added.has(name));
}

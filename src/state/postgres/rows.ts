import type pg from 'pg';
import { STATE_VERSION, type GroupRecord, type StateData, type StepRecord } from '../types.js';

/**
 * The mapping between the state's records and the tables: a GroupRecord
 * without `steps` in groundwork.groups.record, each StepRecord in
 * groundwork.steps.record. The JSON is the file store's, unchanged, so the
 * status and report code reads both alike. Each write is one statement
 * (one implicit transaction, one round trip), and repeating it is harmless,
 * which the reconnect relies on.
 */

export type GroupRow = Omit<GroupRecord, 'steps'>;

export function splitGroup(record: GroupRecord): { group: GroupRow; steps: StepRecord[] } {
  const { steps, ...group } = record;
  return { group, steps };
}

/** Insert the states row if there is none; returns the stored identity (the new one, or the one already there). */
export async function ensureState(
  client: pg.ClientBase,
  name: string,
  fresh: { id: string; createdAt: string },
): Promise<{ id: string; createdAt: string; version: number }> {
  // Both halves see the same snapshot: exactly one of them returns a row.
  const { rows } = await client.query<{ id: string; created_at: Date; version: number }>(
    `with ins as (insert into groundwork.states (name, id, created_at, version) values ($1, $2, $3, $4)
                  on conflict (name) do nothing returning id, created_at, version)
     select id::text, created_at, version from ins
     union all select id::text, created_at, version from groundwork.states where name = $1`,
    [name, fresh.id, fresh.createdAt, STATE_VERSION],
  );
  const row = rows[0]!;
  return { id: row.id, createdAt: row.created_at.toISOString(), version: row.version };
}

export async function readStateRow(
  client: pg.ClientBase,
  name: string,
): Promise<{ id: string; createdAt: string; version: number } | undefined> {
  const { rows } = await client.query<{ id: string; created_at: Date; version: number }>(
    `select id::text, created_at, version from groundwork.states where name = $1`,
    [name],
  );
  const row = rows[0];
  return row && { id: row.id, createdAt: row.created_at.toISOString(), version: row.version };
}

/** The whole state: groups in scheduling order (seq), each with its steps in order. */
export async function loadGroups(client: pg.ClientBase, state: string): Promise<Record<string, GroupRecord>> {
  const { rows } = await client.query<{ record: GroupRow; steps: StepRecord[] }>(
    `select g.record,
            coalesce((select jsonb_agg(s.record order by s.idx) from groundwork.steps s
                      where s.state = g.state and s.group_name = g.name), '[]'::jsonb) as steps
       from groundwork.groups g where g.state = $1 order by g.seq`,
    [state],
  );
  const groups: Record<string, GroupRecord> = {};
  for (const { record, steps } of rows) groups[record.name] = { ...record, steps };
  return groups;
}

export async function loadState(client: pg.ClientBase, state: string): Promise<StateData | undefined> {
  const row = await readStateRow(client, state);
  if (!row) return undefined;
  return { version: STATE_VERSION, id: row.id, createdAt: row.createdAt, groups: await loadGroups(client, state) };
}

/** Insert or replace whole groups with their steps (steps beyond the new length are removed). */
export async function putGroupsSql(client: pg.ClientBase, state: string, records: readonly GroupRecord[]): Promise<void> {
  if (records.length === 0) return;
  const input = records.map((r) => {
    const { group, steps } = splitGroup(r);
    return { name: r.name, record: group, steps };
  });
  await client.query(
    `with input as (select * from jsonb_to_recordset($2::jsonb) as x(name text, record jsonb, steps jsonb)),
     g as (insert into groundwork.groups (state, name, record, depends_on)
           select $1, name, record, array(select jsonb_array_elements_text(record->'dependsOn')) from input
           on conflict (state, name) do update set record = excluded.record, depends_on = excluded.depends_on returning name),
     gone as (delete from groundwork.steps s using input i
              where s.state = $1 and s.group_name = any($3::text[]) and s.group_name = i.name and s.idx >= jsonb_array_length(i.steps)),
     s as (insert into groundwork.steps (state, group_name, idx, record)
           select $1, i.name, (e.ord - 1)::int, e.value from input i, jsonb_array_elements(i.steps) with ordinality as e(value, ord)
           on conflict (state, group_name, idx) do update set record = excluded.record)
     select count(*) from g`,
    [state, JSON.stringify(input), input.map((i) => i.name)], // $3: for the planner (as MergedUpdates.write)
  );
}

/**
 * Changes of several updateGroup calls, merged: the last value of each group
 * row and each step row (one statement may touch a row only once).
 */
export class MergedUpdates {
  readonly #groups = new Map<string, GroupRow>();
  readonly #steps = new Map<string, { name: string; idx: number; record: StepRecord }>();

  get size(): number {
    return this.#groups.size + this.#steps.size;
  }

  add(record: GroupRecord, changed: readonly number[], fieldsChanged: boolean): void {
    const { group, steps } = splitGroup(record);
    if (fieldsChanged) this.#groups.set(record.name, group);
    for (const idx of changed) this.#steps.set(`${idx}\u0000${record.name}`, { name: record.name, idx, record: steps[idx]! });
  }

  async write(client: pg.ClientBase, state: string): Promise<void> {
    if (this.size === 0) return;
    await client.query(
      `with g as (update groundwork.groups t
                    set record = x.record, depends_on = array(select jsonb_array_elements_text(x.record->'dependsOn'))
                    from jsonb_to_recordset($2::jsonb) as x(name text, record jsonb)
                   -- = any($4): for the planner, which cannot see how few rows the recordset holds
                   where t.state = $1 and t.name = any($4::text[]) and t.name = x.name returning 1),
       s as (insert into groundwork.steps (state, group_name, idx, record)
             select $1, x.name, x.idx, x.record from jsonb_to_recordset($3::jsonb) as x(name text, idx int, record jsonb)
             on conflict (state, group_name, idx) do update set record = excluded.record)
       select count(*) from g`,
      [
        state,
        JSON.stringify([...this.#groups].map(([name, record]) => ({ name, record }))),
        JSON.stringify([...this.#steps.values()]),
        [...this.#groups.keys()],
      ],
    );
  }
}

export async function deleteGroupSql(client: pg.ClientBase, state: string, name: string): Promise<void> {
  await client.query(`delete from groundwork.groups where state = $1 and name = $2`, [state, name]);
}

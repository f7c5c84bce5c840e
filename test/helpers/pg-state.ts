// Reading the PostgreSQL state with plain SQL, independently of the store's
// own code (src/state/postgres/rows.ts), for invariant checks in tests.
import pg from 'pg';

export interface PgStepRow {
  idx: number;
  /** The StepRecord JSON as stored. */
  record: { state: string; provisioner: { class: string; fields: { json: unknown } }; output?: { json: unknown }; [k: string]: unknown };
  attempt: number;
  worker: string | null;
}

export interface PgGroupRow {
  name: string;
  seq: number;
  /** The GroupRecord JSON without steps, as stored. */
  record: { name: string; state: string; dependsOn: string[]; [k: string]: unknown };
  steps: PgStepRow[];
}

export interface PgWorkerRow {
  id: string;
  host: string;
  pid: number;
  startedAt: Date;
  heartbeatAt: Date;
  concurrency: number;
  running: unknown;
}

export interface PgState {
  /** The states row, or undefined if there is none. */
  state: { name: string; id: string; createdAt: Date; version: number } | undefined;
  schemaVersion: string | undefined;
  /** In scheduling order (seq). */
  groups: PgGroupRow[];
  workers: PgWorkerRow[];
}

/** Every table's rows for one state (and the live workers), read with plain SQL. */
export async function readPgState(url: string, stateName: string): Promise<PgState> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    const exists = await client.query(`select to_regclass('groundwork.meta') is not null as ok`);
    if (!exists.rows[0].ok) return { state: undefined, schemaVersion: undefined, groups: [], workers: [] };
    const meta = await client.query(`select value from groundwork.meta where key = 'schema_version'`);
    const states = await client.query(`select name, id::text, created_at, version from groundwork.states where name = $1`, [stateName]);
    const groups = await client.query(`select name, seq, record from groundwork.groups where state = $1 order by seq`, [stateName]);
    const steps = await client.query(
      `select group_name, idx, record, attempt, worker from groundwork.steps where state = $1 order by group_name, idx`,
      [stateName],
    );
    const workers = await client.query(`select * from groundwork.workers order by id`);
    const byGroup = new Map<string, PgStepRow[]>();
    for (const s of steps.rows) {
      const list = byGroup.get(s.group_name) ?? [];
      list.push({ idx: s.idx, record: s.record, attempt: s.attempt, worker: s.worker });
      byGroup.set(s.group_name, list);
    }
    const row = states.rows[0];
    return {
      state: row && { name: row.name, id: row.id, createdAt: row.created_at, version: row.version },
      schemaVersion: meta.rows[0]?.value,
      groups: groups.rows.map((g) => ({ name: g.name, seq: Number(g.seq), record: g.record, steps: byGroup.get(g.name) ?? [] })),
      workers: workers.rows.map((w) => ({
        id: w.id,
        host: w.host,
        pid: w.pid,
        startedAt: w.started_at,
        heartbeatAt: w.heartbeat_at,
        concurrency: w.concurrency,
        running: w.running,
      })),
    };
  } finally {
    await client.end();
  }
}

/** Every text value in every table of the database, as one string (the secrets test greps it). */
export async function dumpAllText(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    const tables = await client.query(
      `select table_schema, table_name from information_schema.tables
        where table_schema not in ('pg_catalog', 'information_schema') and table_type = 'BASE TABLE'`,
    );
    const parts: string[] = [];
    for (const t of tables.rows) {
      const r = await client.query(`select t::text as row from "${t.table_schema}"."${t.table_name}" t`);
      for (const { row } of r.rows) parts.push(row);
    }
    return parts.join('\n');
  } finally {
    await client.end();
  }
}

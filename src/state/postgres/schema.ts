/**
 * The PostgreSQL schema of the state (shared with the workers, issue 12).
 * Each migration is one SQL string; migrate.ts runs the ones a database
 * lacks, in order, and records the version in groundwork.meta.
 * Never edit a released migration: add the next one and bump SCHEMA_VERSION.
 */

/** The schema version this code reads and writes. A database at another (newer) version is refused. */
export const SCHEMA_VERSION = 2;

/** The PostgreSQL schema (namespace) that holds Groundwork's tables; pg-boss keeps its own (`pgboss`). */
export const SCHEMA_NAME = 'groundwork';

/**
 * Advisory lock keys. The migration lock is a one-bigint key (transaction
 * scoped); per-name locks use the two-int form with a namespace as the first
 * key, so the two key spaces never collide. 0x4757 = "GW".
 */
export const ADVISORY_LOCK = {
  /** pg_advisory_xact_lock(migration) around every migration run. */
  migration: 0x4757_0000_0001n,
  /** pg_try_advisory_lock(state, hashtext(state name)): exclusive owner of a state in single-process mode. */
  state: 0x4757_0001,
  /** The workers' leases: pg_try_advisory_lock(groupLease, hashtext(state || '/' || group)) per group a worker runs a step of. */
  groupLease: 0x4757_0002,
} as const;

export interface Migration {
  version: number;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    sql: `
create table if not exists groundwork.states (
  name text primary key,
  id uuid not null,
  created_at timestamptz not null,
  version int not null
);
create table if not exists groundwork.groups (
  state text not null references groundwork.states(name) on delete cascade,
  name text not null,
  seq bigserial,
  record jsonb not null,
  primary key (state, name)
);
create table if not exists groundwork.steps (
  state text not null,
  group_name text not null,
  idx int not null,
  record jsonb not null,
  attempt int not null default 0,
  worker text,
  primary key (state, group_name, idx),
  foreign key (state, group_name) references groundwork.groups(state, name) on delete cascade
);
create table if not exists groundwork.workers (
  id text primary key,
  host text not null,
  pid int not null,
  started_at timestamptz not null,
  heartbeat_at timestamptz not null,
  concurrency int not null,
  running jsonb not null default '[]'
);
`,
  },
  {
    // Workers (issue 12): what grows with the state is indexed, so a step's commit and a sweep cost
    // the same at 10 groups or 10,000: a group's dependents (looked up at every group's end) by a
    // column of their own that never changes, and the steps a worker runs now (the sweeper checks
    // only those). Free space on each page lets the frequent record updates stay HOT.
    version: 2,
    sql: `
alter table groundwork.groups add column if not exists depends_on text[] not null default '{}';
update groundwork.groups set depends_on = array(select jsonb_array_elements_text(record->'dependsOn'));
create index if not exists groups_depends_on on groundwork.groups using gin (depends_on);
create index if not exists steps_running on groundwork.steps (state)
  where worker is not null and record->>'state' in ('running', 'stopping');
alter table groundwork.groups set (fillfactor = 70);
alter table groundwork.steps set (fillfactor = 70);
`,
  },
];

/** Created before any migration: the schema itself and the table that records its version. */
export const BOOTSTRAP_SQL = `
create schema if not exists groundwork;
create table if not exists groundwork.meta (key text primary key, value text not null);
`;

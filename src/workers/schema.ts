import type { Queryable } from './db.js';

/**
 * The groundwork schema as shared with pg-store (briefs/pg-schema.md), created
 * if missing. Temporary: pg-store's migrations (src/state/postgres/schema.ts)
 * replace this once that branch is merged; the shape is the same.
 */
export async function ensureStateSchema(db: Queryable): Promise<void> {
  await db.query('begin');
  try {
    await db.query('select pg_advisory_xact_lock(4242001)');
    await db.query(`
      create schema if not exists groundwork;
      create table if not exists groundwork.meta (key text primary key, value text not null);
      create table if not exists groundwork.states (name text primary key, id uuid not null, created_at timestamptz not null, version int not null);
      create table if not exists groundwork.groups (
        state text not null references groundwork.states(name) on delete cascade, name text not null, seq bigserial,
        record jsonb not null, primary key (state, name));
      create table if not exists groundwork.steps (
        state text not null, group_name text not null, idx int not null, record jsonb not null,
        attempt int not null default 0, worker text, primary key (state, group_name, idx),
        foreign key (state, group_name) references groundwork.groups(state, name) on delete cascade);
      create table if not exists groundwork.workers (
        id text primary key, host text not null, pid int not null, started_at timestamptz not null,
        heartbeat_at timestamptz not null, concurrency int not null, running jsonb not null default '[]');
      insert into groundwork.meta values ('schema_version', '1') on conflict do nothing;`);
    await db.query('commit');
  } catch (error) {
    await db.query('rollback').catch(() => undefined);
    throw error;
  }
}

import { ADVISORY_LOCK, BOOTSTRAP_SQL, MIGRATIONS, SCHEMA_VERSION } from '../state/postgres/schema.js';
import type { Queryable } from './db.js';

/**
 * Bring the database to pg-store's schema (src/state/postgres/schema.ts), in
 * one transaction under its migration lock. Stopgap until pg-store's
 * migrate.ts is merged: then call that instead (same SQL, same lock).
 */
export async function ensureStateSchema(db: Queryable): Promise<void> {
  await db.query('begin');
  try {
    await db.query('select pg_advisory_xact_lock($1)', [ADVISORY_LOCK.migration.toString()]);
    await db.query(BOOTSTRAP_SQL);
    const r = await db.query(`select value from groundwork.meta where key = 'schema_version'`);
    const at = r.rows.length > 0 ? Number(r.rows[0].value) : 0;
    for (const m of MIGRATIONS) if (m.version > at) await db.query(m.sql);
    if (at < SCHEMA_VERSION) {
      await db.query(
        `insert into groundwork.meta (key, value) values ('schema_version', $1) on conflict (key) do update set value = excluded.value`,
        [String(SCHEMA_VERSION)],
      );
    }
    await db.query('commit');
  } catch (error) {
    await db.query('rollback').catch(() => undefined);
    throw error;
  }
}

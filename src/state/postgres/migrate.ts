import type pg from 'pg';
import { SchemaVersionError } from '../../errors.js';
import { ADVISORY_LOCK, BOOTSTRAP_SQL, MIGRATIONS, SCHEMA_VERSION } from './schema.js';

/**
 * Bring the database's Groundwork schema to SCHEMA_VERSION, in one
 * transaction holding the migration advisory lock, so that processes starting
 * at once do not race (the second waits, then finds the work done). A
 * database at a version this code does not know is refused before anything
 * changes. Returns the version found before (0: a fresh database).
 */
export async function migrate(client: pg.ClientBase, redactedUrl: string): Promise<number> {
  await client.query('begin');
  try {
    await client.query('select pg_advisory_xact_lock($1)', [ADVISORY_LOCK.migration.toString()]);
    await client.query(BOOTSTRAP_SQL);
    const { rows } = await client.query<{ value: string }>(`select value from groundwork.meta where key = 'schema_version'`);
    const found = rows[0]?.value;
    const from = found === undefined ? 0 : Number(found);
    if (!Number.isInteger(from) || from < 0 || from > SCHEMA_VERSION) {
      throw new SchemaVersionError(redactedUrl, found ?? '(none)', SCHEMA_VERSION);
    }
    for (const m of MIGRATIONS) if (m.version > from) await client.query(m.sql);
    if (from !== SCHEMA_VERSION) {
      await client.query(
        `insert into groundwork.meta (key, value) values ('schema_version', $1)
         on conflict (key) do update set value = excluded.value`,
        [String(SCHEMA_VERSION)],
      );
    }
    await client.query('commit');
    return from;
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw error;
  }
}

import { SchemaVersionError } from '../../errors.js';
import type { StateData } from '../types.js';
import { PgConnection, type ConnectionOptions } from './connection.js';
import { loadState } from './rows.js';
import { SCHEMA_VERSION } from './schema.js';

/**
 * Read a state without its lock and without changing anything (no
 * migration), e.g. for `status` while a `provision` runs: undefined if the
 * database has no Groundwork schema or no such state. One statement per
 * table, each on the same snapshot (a repeatable-read transaction), so a
 * concurrent write is seen whole or not at all.
 */
export async function readPostgresState(url: string, state: string, options: ConnectionOptions = {}): Promise<StateData | undefined> {
  const connection = new PgConnection(url, options);
  try {
    return await connection.run(async (client) => {
      await client.query('begin transaction isolation level repeatable read read only');
      try {
        const { rows } = await client.query<{ meta: string | null }>(`select to_regclass('groundwork.meta')::text as meta`);
        if (!rows[0]?.meta) return undefined;
        const version = await client.query<{ value: string }>(`select value from groundwork.meta where key = 'schema_version'`);
        const found = version.rows[0]?.value;
        if (found === undefined) return undefined;
        if (Number(found) !== SCHEMA_VERSION) throw new SchemaVersionError(connection.url, found, SCHEMA_VERSION);
        return await loadState(client, state);
      } finally {
        await client.query('rollback').catch(() => {});
      }
    });
  } finally {
    await connection.close();
  }
}

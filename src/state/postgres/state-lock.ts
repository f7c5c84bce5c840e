import type pg from 'pg';
import { DatabaseLockedError } from '../../errors.js';
import { ADVISORY_LOCK } from './schema.js';

/**
 * The exclusive owner of a state in single-process mode: a session advisory
 * lock on (namespace, hashtext(state name)) held on the store's own
 * connection. PostgreSQL ends it when that connection ends — the process
 * exited, was killed, or lost the server — so there is no stale lock to
 * remove by hand. Two names with the same 32-bit hash would share a lock
 * (a false "in use", never a lost update).
 */
export async function takeStateLock(client: pg.ClientBase, state: string, redactedUrl: string): Promise<void> {
  const { rows } = await client.query<{ ok: boolean }>('select pg_try_advisory_lock($1, hashtext($2)) as ok', [ADVISORY_LOCK.state, state]);
  if (rows[0]?.ok) return;
  throw new DatabaseLockedError(redactedUrl, state, await describeHolder(client, state));
}

/** Who holds the lock, from pg_locks and pg_stat_activity: backend pid, application name, client address, since when. */
async function describeHolder(client: pg.ClientBase, state: string): Promise<string> {
  const { rows } = await client.query<{ pid: number; app: string | null; addr: string | null; since: Date | null }>(
    `select a.pid, a.application_name as app, host(a.client_addr) as addr, a.backend_start as since
       from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.granted and l.classid = $1::bigint::oid
        and l.objid = (hashtext($2)::bigint & 4294967295)::oid and l.objsubid = 2`,
    [ADVISORY_LOCK.state, state],
  );
  const row = rows[0];
  if (!row) return 'it has just let go; run again';
  const who = row.app ? `"${row.app}"` : 'a client';
  return `${who} from ${row.addr ?? 'a local socket'}, server backend pid ${row.pid}, connected since ${row.since?.toISOString() ?? '?'}`;
}

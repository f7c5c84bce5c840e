import pg from 'pg';

/** What pg-boss's `options.db` takes: run one statement on the caller's connection (inside its transaction). */
export interface Executor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

export type Queryable = Pick<pg.ClientBase, 'query'>;

export function executorOf(client: Queryable): Executor {
  return {
    executeSql: async (text, values) => {
      const result = await client.query(text, values as unknown[] | undefined);
      return { rows: result.rows as Record<string, unknown>[], rowCount: result.rowCount };
    },
  };
}

/** A pool whose idle-client errors (PostgreSQL restarted) are reported, not thrown at the process. */
export function openPool(url: string, max: number, onError: (error: Error) => void): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, application_name: 'groundwork' });
  pool.on('error', onError);
  return pool;
}

/**
 * Run `fn` in one transaction on a client of `pool`: committed if it
 * resolves, rolled back if it throws. The client goes back to the pool
 * either way (destroyed if the connection broke).
 */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient, db: Executor) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | boolean = false;
  // A checked-out client has no pool listener: without ours, PostgreSQL going away would crash the process.
  const onError = (error: Error) => (broken = error);
  client.on('error', onError);
  try {
    await client.query('begin');
    const result = await fn(client, executorOf(client));
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => {
      broken = true; // the connection is gone: the pool must not hand it out again
    });
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** Errors that mean the connection or the server went away (retry after a backoff), not a bug in a statement. */
export function isConnectionError(error: unknown): boolean {
  const e = error as { code?: string; message?: string } | null;
  if (!e) return false;
  if (typeof e.code === 'string' && /^(57P0[1-3]|08\d{3}|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT)$/.test(e.code)) return true;
  return /Connection terminated|connection is closed|Client has encountered a connection error|not queryable|the database system is (starting up|shutting down)/i.test(
    e.message ?? '',
  );
}

/** PostgreSQL ended the transaction to break a deadlock (40P01): rolled back whole, safe to run again. */
export function isDeadlock(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === '40P01';
}

/**
 * A statement the workers run at every step: prepared once per connection under
 * `name`, so PostgreSQL skips parsing and planning it each time (its CTEs cost
 * more to plan than to run).
 */
export function prepared(name: string, text: string, values: unknown[]): pg.QueryConfig {
  return { name: `groundwork_${name}`, text, values };
}

import pg from 'pg';
import { ADVISORY_LOCK } from '../state/postgres/schema.js';
import { prepared, type Queryable } from './db.js';

/** What a lease is taken on: a group of a state (its steps run one at a time, so the group is the unit). */
export interface LeaseKey {
  state: string;
  group: string;
}

/**
 * The two int4 keys of a group's advisory lock: pg-store's namespace for
 * leases, then a hash of the group (SQL side, so pg_locks can be joined).
 */
export const LEASE_KEY_SQL = (state: string, group: string): string => `${ADVISORY_LOCK.groupLease}, hashtext(${state} || '/' || ${group})`;

/**
 * A worker's leases: one session advisory lock per group whose step it runs
 * (kept while it goes straight on with that group's next step, so a pipeline
 * costs one lease, not one per step), held on a connection of its own.
 * PostgreSQL ends them when that session ends — the
 * process killed (the socket closes), or silent for `timeoutMs` (a SIGSTOPped
 * or cut-off worker: `idle_session_timeout` ends the session), so a lease
 * needs no clock of ours. `ping` keeps a live worker's session from idling out.
 */
export class Leases {
  readonly #url: string;
  readonly #timeoutMs: number;
  readonly #onLost: (error: Error) => void;
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #held = new Set<string>();
  /** The lease session's statements, one after another (pg deprecates queueing them on a client). */
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(url: string, timeoutMs: number, onLost: (error: Error) => void) {
    this.#url = url;
    this.#timeoutMs = timeoutMs;
    this.#onLost = onLost;
  }

  async start(): Promise<void> {
    await this.#connection();
    // Well inside the timeout, so a live worker's session never idles out.
    this.#timer = setInterval(() => void this.#ping(), Math.max(100, Math.floor(this.#timeoutMs / 4)));
    this.#timer.unref();
  }

  async #connection(): Promise<pg.Client> {
    if (this.#client) return this.#client;
    this.#connecting ??= (async () => {
      const client = new pg.Client({ connectionString: this.#url, application_name: 'groundwork-lease' });
      client.on('error', (error) => this.#lost(client, error));
      try {
        await client.connect();
        await client.query(`select set_config('idle_session_timeout', $1, false)`, [`${this.#timeoutMs}ms`]);
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
      this.#client = client;
      return client;
    })().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  #lost(client: pg.Client, error: Error): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    void client.end().catch(() => undefined);
    // Every lease went with the session: the sweepers may already have handed those steps to new attempts.
    this.#held.clear();
    if (!this.#closed) this.#onLost(error);
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }

  #ping(): Promise<void> {
    return this.#serial(async () => {
      const client = this.#client;
      if (!client) return;
      try {
        await client.query('select 1');
      } catch (error) {
        this.#lost(client, error as Error); // pg rejects with Errors
      }
    });
  }

  /** Take the lease of a group; false if another session holds it. */
  acquire(key: LeaseKey): Promise<boolean> {
    return this.#serial(async () => {
      // Session advisory locks stack: taking one twice (a commit retried) would need two unlocks.
      if (this.#held.has(id(key))) return true;
      const client = await this.#connection();
      const r = await client.query(
        prepared('lease_acquire', `select pg_try_advisory_lock(${LEASE_KEY_SQL('$1', '$2')}) as ok`, [key.state, key.group]),
      );
      const ok = r.rows[0].ok === true;
      if (ok) this.#held.add(id(key));
      return ok;
    });
  }

  /** Give a lease back (queued behind this session's earlier statements, so callers need not wait for it). */
  release(key: LeaseKey): Promise<void> {
    return this.#serial(async () => {
      if (!this.#held.delete(id(key))) return;
      const client = this.#client;
      if (!client) return;
      await client
        .query(prepared('lease_release', `select pg_advisory_unlock(${LEASE_KEY_SQL('$1', '$2')})`, [key.state, key.group]))
        .catch(() => undefined);
    });
  }

  holds(key: LeaseKey): boolean {
    return this.#held.has(id(key));
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearInterval(this.#timer);
    const client = this.#client;
    this.#client = undefined;
    this.#held.clear();
    if (client) await client.end().catch(() => undefined);
  }
}

function id(key: LeaseKey): string {
  return `${key.state}\u0000${key.group}`;
}

/**
 * Steps of `state` that a worker runs (worker set, running or stopping) whose lease no session holds:
 * their worker is gone. The filter is the partial index steps_running's, so a sweep reads only those.
 */
export async function orphanedSteps(
  db: Queryable,
  state: string,
): Promise<Array<LeaseKey & { step: number; attempt: number; worker: string; stopping: boolean }>> {
  const r = await db.query(
    prepared(
      'orphaned_steps',
      `
    select s.state, s.group_name, s.idx, s.attempt, s.worker, s.record->>'state' as st
    from groundwork.steps s
    where s.state = $1 and s.worker is not null and s.record->>'state' in ('running', 'stopping')
      and not exists (
        select 1 from pg_locks l
        where l.locktype = 'advisory' and l.objsubid = 2 and l.granted
          and l.classid = ${ADVISORY_LOCK.groupLease}::oid
          and l.objid = hashtext(s.state || '/' || s.group_name)::oid)`,
      [state],
    ),
  );
  return r.rows.map((row) => ({
    state: row.state,
    group: row.group_name,
    step: row.idx,
    attempt: row.attempt,
    worker: row.worker,
    stopping: row.st === 'stopping',
  }));
}

/** Inside a transaction: true if no session holds the group's lease (checked by taking it until commit). */
export async function leaseIsFree(db: Queryable, key: LeaseKey): Promise<boolean> {
  const r = await db.query(`select pg_try_advisory_xact_lock(${LEASE_KEY_SQL('$1', '$2')}) as free`, [key.state, key.group]);
  return r.rows[0].free === true;
}

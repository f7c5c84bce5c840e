import { resolve } from 'node:path';
import { systemClock, type Clock } from '../../clock.js';
import { ConfigError, StoreClosedError } from '../../errors.js';
import { emptyData } from '../snapshot.js';
import type { StateStore } from '../store.js';
import type pg from 'pg';
import type { GroupRecord, StateData } from '../types.js';
import { PgConnection, type ConnectionOptions } from './connection.js';
import { migrate } from './migrate.js';
import { redactUrl } from './redact.js';
import { deleteGroupSql, ensureState, loadGroups, MergedUpdates, putGroupsSql } from './rows.js';
import { takeStateLock } from './state-lock.js';

export interface PostgresStoreOptions {
  /** postgres://user:password@host:port/database (the password never leaves this store: see redactUrl). */
  url: string;
  /** Which state in the database (several may share one); see README "State in PostgreSQL". */
  state: string;
  /** Where provisioners keep files on this machine (ctx.dataDir; default ./.groundwork/data). */
  dataDir?: string;
  /** Source of a new state's `createdAt` (default: the system clock). */
  clock?: Clock;
  /** Connect and reconnect bounds, application name, signal. */
  connection?: ConnectionOptions;
}

/** Checks a state name where it is given (config, CLI, library). */
export function assertStateName(state: unknown, field = 'database.state'): asserts state is string {
  if (typeof state !== 'string' || state.trim() === '' || state.length > 200) {
    throw new ConfigError(`Expected \`${field}\` to be a non-empty name of at most 200 characters, got ${JSON.stringify(state)}.`);
  }
}

/**
 * The state in PostgreSQL (the schema in schema.ts): open() migrates, takes
 * the state's session advisory lock (DatabaseLockedError if another process
 * has it) and loads; every write is one statement, committed (durable) when
 * it resolves. Writes run one at a time in call order, so a reconnect that
 * repeats them cannot reorder two changes of one group.
 */
export class PostgresStore implements StateStore {
  readonly location: string;
  readonly dataDir: string;
  readonly state: string;
  /** The database URL without its password. */
  readonly url: string;
  readonly #options: PostgresStoreOptions;
  #connection: PgConnection | undefined;
  /** Writes waiting for the next commit, in call order. */
  #pending: PendingWrite[] = [];
  /** The commit under way, if any (the next batch starts when it ends). */
  #flushing: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions) {
    assertStateName(options.state, 'state');
    if (typeof options.url !== 'string' || !/^postgres(ql)?:\/\//.test(options.url)) {
      throw new ConfigError(`Expected \`url\` to be a postgres:// URL, got ${options.url === undefined ? 'undefined' : 'another string'}.`);
    }
    this.#options = options;
    this.state = options.state;
    this.url = redactUrl(options.url);
    this.location = `state "${options.state}" in ${this.url}`;
    this.dataDir = resolve(options.dataDir ?? '.groundwork/data');
  }

  async open(): Promise<StateData> {
    if (this.#connection) throw new StoreClosedError(this.location, `State store ${this.location} is already open.`);
    const connection = new PgConnection(this.#options.url, this.#options.connection ?? {}, (client) =>
      takeStateLock(client, this.state, this.url),
    );
    this.#connection = connection;
    try {
      return await connection.run(async (client) => {
        await migrate(client, this.url);
        const fresh = emptyData((this.#options.clock ?? systemClock).now());
        const row = await ensureState(client, this.state, fresh);
        return { version: fresh.version, id: row.id, createdAt: row.createdAt, groups: await loadGroups(client, this.state) };
      });
    } catch (error) {
      this.#connection = undefined;
      await connection.close();
      throw error;
    }
  }

  putGroups(records: readonly GroupRecord[]): Promise<void> {
    return this.#write({ kind: 'put', records });
  }

  updateGroup(record: GroupRecord, changedSteps: readonly number[], fieldsChanged: boolean): Promise<void> {
    return this.#write({ kind: 'update', record, changedSteps: [...changedSteps], fieldsChanged });
  }

  deleteGroup(name: string): Promise<void> {
    return this.#write({ kind: 'delete', name });
  }

  async close(): Promise<void> {
    const connection = this.#connection;
    if (!connection) return;
    this.#connection = undefined;
    while (this.#flushing) await this.#flushing;
    await connection.close();
  }

  #write(op: Write): Promise<void> {
    const connection = this.#connection;
    if (!connection) {
      return Promise.reject(
        new StoreClosedError(
          this.location,
          `State store ${this.location} is not open; call open() first (a closed store is opened again).`,
        ),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ op, resolve, reject });
      this.#flushing ??= this.#flush(connection);
    });
  }

  /**
   * Group commit: the writes that arrived while the previous commit was under
   * way go in one transaction (one WAL flush for all of them), in call order.
   * A lost connection repeats the whole batch, which is safe: each write sets
   * rows to values.
   */
  async #flush(connection: PgConnection): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const batch = this.#pending.splice(0, MAX_BATCH);
        try {
          await connection.run(async (client) => {
            if (batch.length > 1) await client.query('begin');
            try {
              await this.#apply(client, batch);
              if (batch.length > 1) await client.query('commit');
            } catch (error) {
              if (batch.length > 1) await client.query('rollback').catch(() => {});
              throw error;
            }
          });
          for (const w of batch) w.resolve();
        } catch (error) {
          for (const w of batch) w.reject(error);
        }
      }
    } finally {
      this.#flushing = undefined;
    }
  }

  /** The batch's writes in order; a run of updates (the bulk of a run) becomes one statement. */
  async #apply(client: pg.ClientBase, batch: readonly PendingWrite[]): Promise<void> {
    let updates = new MergedUpdates();
    for (const { op } of batch) {
      if (op.kind === 'update') {
        updates.add(op.record, op.changedSteps, op.fieldsChanged);
        continue;
      }
      await updates.write(client, this.state);
      updates = new MergedUpdates();
      if (op.kind === 'put') await putGroupsSql(client, this.state, op.records);
      else await deleteGroupSql(client, this.state, op.name);
    }
    await updates.write(client, this.state);
  }
}

type Write =
  | { kind: 'put'; records: readonly GroupRecord[] }
  | { kind: 'update'; record: GroupRecord; changedSteps: readonly number[]; fieldsChanged: boolean }
  | { kind: 'delete'; name: string };
interface PendingWrite {
  op: Write;
  resolve(): void;
  reject(error: unknown): void;
}
/** Writes per transaction at most (a bound on one commit's size). */
const MAX_BATCH = 500;

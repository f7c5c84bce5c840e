import { setTimeout as delay } from 'node:timers/promises';
import type pg from 'pg';
import { DatabaseUnreachableError, GroundworkError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import { redactUrl, scrubPassword } from './redact.js';

export interface ConnectionOptions {
  /** How long the first connection may keep failing before open() gives up (default 5 s: PostgreSQL may be starting). */
  connectTimeoutMs?: number;
  /** How long a lost connection is retried, with backoff, before an operation fails (default 30 s: a restart takes a few). */
  reconnectTimeoutMs?: number;
  /** Shown in pg_stat_activity (and so in a "locked" error of another process). */
  applicationName?: string;
  /** Ends the waiting between attempts. */
  signal?: AbortSignal;
  /** Told (warn) when the connection is lost and when it is back; lines carry the URL without its password. */
  logger?: Logger;
}

// SQLSTATE classes and codes after which a new connection may succeed:
// 08 connection exception, 57P01-57P03 shutdown / crash / starting up, 53300 too many connections.
const RETRY_SQLSTATE = /^(08|57P0[123]|53300)/;
const RETRY_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ENOENT']);

/** Whether `error` means the connection (not the statement) failed, so the operation may be run again on a new one. */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof GroundworkError) return false;
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  if (RETRY_ERRNO.has(code) || RETRY_SQLSTATE.test(code)) return true;
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|not queryable|Client was closed|connection timeout|timeout expired/i.test(message);
}

/**
 * One PostgreSQL connection with an owner: it is made on first use, and
 * again (with backoff, bounded) when it breaks, e.g. after
 * `pg_ctl restart -m immediate`. `onConnect` runs on every new connection
 * (the store takes its session lock there). Operations given to run() must be
 * safe to repeat: one may have committed just before the connection broke.
 */
export class PgConnection {
  readonly url: string;
  readonly #secretUrl: string;
  readonly #options: ConnectionOptions;
  readonly #onConnect: ((client: pg.Client) => Promise<void>) | undefined;
  #client: pg.Client | undefined;
  #connecting: Promise<pg.Client> | undefined;
  #everConnected = false;
  #lost = false;
  #closed = false;

  constructor(url: string, options: ConnectionOptions = {}, onConnect?: (client: pg.Client) => Promise<void>) {
    this.#secretUrl = url;
    this.url = redactUrl(url);
    this.#options = options;
    this.#onConnect = onConnect;
  }

  /** Run `op` on the connection; on a connection error reconnect and run it again, until the reconnect timeout. */
  async run<T>(op: (client: pg.Client) => Promise<T>): Promise<T> {
    let deadline: number | undefined; // from the first failure on
    for (let wait = 50; ; wait = Math.min(wait * 2, 1_000)) {
      const client = await this.client();
      try {
        return await op(client);
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        this.#drop(client);
        if (deadline === undefined) {
          this.#logger.warn(`Lost the connection to the state database ${this.url} (${this.#describe(error)}); reconnecting.`);
          this.#lost = true;
        }
        deadline ??= Date.now() + (this.#options.reconnectTimeoutMs ?? 30_000);
        if (Date.now() >= deadline) throw this.#unreachable(error);
        await delay(wait, undefined, this.#options.signal ? { signal: this.#options.signal } : {});
      }
    }
  }

  /** The live connection, made (with bounded retries) if there is none. */
  client(): Promise<pg.Client> {
    if (this.#closed) return Promise.reject(this.#unreachable('the connection was closed'));
    if (this.#client) return Promise.resolve(this.#client);
    this.#connecting ??= this.#connect().finally(() => (this.#connecting = undefined));
    return this.#connecting;
  }

  async #connect(): Promise<pg.Client> {
    const budget = this.#everConnected ? (this.#options.reconnectTimeoutMs ?? 30_000) : (this.#options.connectTimeoutMs ?? 5_000);
    const deadline = Date.now() + budget;
    // Loaded on first use: importing Groundwork (or starting the CLI) does not pay for the driver.
    const { default: driver } = await import('pg');
    for (let wait = 50; ; wait = Math.min(wait * 2, 1_000)) {
      const client = new driver.Client({
        connectionString: this.#secretUrl,
        application_name: this.#options.applicationName ?? `groundwork pid ${process.pid}`,
        connectionTimeoutMillis: Math.max(1_000, Math.min(10_000, budget)),
        keepAlive: true,
      });
      // A connection that dies while idle emits 'error' on the client; without a listener the process would crash.
      client.on('error', (error) => {
        if (this.#client === client && !this.#closed) {
          this.#logger.warn(
            `Lost the connection to the state database ${this.url} (${this.#describe(error)}); reconnecting at the next write.`,
          );
          this.#lost = true;
        }
        this.#drop(client);
      });
      try {
        await client.connect();
        await this.#onConnect?.(client);
        if (this.#closed) {
          await client.end().catch(() => {});
          throw this.#unreachable('the connection was closed');
        }
        this.#client = client;
        if (this.#lost) this.#logger.warn(`Reconnected to the state database ${this.url}.`);
        this.#lost = false;
        this.#everConnected = true;
        return client;
      } catch (error) {
        await client.end().catch(() => {});
        if (!isConnectionError(error) || Date.now() >= deadline) {
          throw error instanceof GroundworkError ? error : this.#unreachable(error);
        }
        await delay(wait, undefined, this.#options.signal ? { signal: this.#options.signal } : {});
      }
    }
  }

  #drop(client: pg.Client): void {
    if (this.#client === client) this.#client = undefined;
    client.end().catch(() => {});
  }

  get #logger(): Logger {
    return this.#options.logger ?? silentLogger;
  }

  /** The error's text (and code) without the password, should the driver ever quote it. */
  #describe(error: unknown): string {
    const e = error as { message?: unknown; code?: unknown } | null;
    const text = typeof e?.message === 'string' && e.message ? e.message : String(error);
    const code = typeof e?.code === 'string' ? ` (${e.code})` : '';
    return scrubPassword(text, this.#secretUrl) + code;
  }

  #unreachable(error: unknown): DatabaseUnreachableError {
    return new DatabaseUnreachableError(this.url, this.#describe(error));
  }

  /** Close the connection (which ends its session locks). Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const client = this.#client ?? (await this.#connecting?.catch(() => undefined));
    this.#client = undefined;
    await client?.end().catch(() => {});
  }
}

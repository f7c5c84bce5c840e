import type { Logger } from '../logger.js';
import { describeError } from '../errors.js';
import { isConnectionError, isDeadlock } from './db.js';

/**
 * Run a fenced write again while PostgreSQL is away (restarted, or the connection cut), or when
 * it ended the transaction as a deadlock victim, with backoff up to 2 s, until it answers or
 * `signal` aborts. Safe because the write is fenced by attempt: a repeat of a write that did
 * land changes nothing, and a refused one throws.
 */
export async function throughRestart<T>(what: string, fn: () => Promise<T>, options: { logger: Logger; signal: AbortSignal }): Promise<T> {
  let backoff = 100;
  for (;;) {
    try {
      return await fn();
    } catch (error) {
      if (!(isConnectionError(error) || isDeadlock(error)) || options.signal.aborted) throw error;
      options.logger.warn(`${what} failed (${describeError(error)}); retrying in ${backoff} ms`);
      await new Promise((resolve) => setTimeout(resolve, backoff));
      backoff = Math.min(backoff * 2, 2000);
    }
  }
}

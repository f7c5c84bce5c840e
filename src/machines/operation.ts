import { ConfigError, MachineCommandError } from '../errors.js';
import type { ExecuteResult } from '../machines/machine.js';

export const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
export const DEFAULT_TRANSFER_TIMEOUT_MS = 300_000;

/** A timeout option as milliseconds, checked where it is read. */
export function timeoutOption(value: number | undefined, fallback: number, field = 'timeout'): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(`Expected \`${field}\` to be a positive number of milliseconds, got ${String(value)}.`);
  }
  return value;
}

/** Like execa: one trailing newline is not part of the output. */
export function stripFinalNewline(text: string): string {
  if (text.endsWith('\r\n')) return text.slice(0, -2);
  if (text.endsWith('\n')) return text.slice(0, -1);
  return text;
}

/** Resolve with the result, or throw MachineCommandError when it failed and `reject` is not false. */
export function settle(result: ExecuteResult, reject: boolean | undefined, details: { timeoutMs: number; cause?: unknown }): ExecuteResult {
  if (result.failed && reject !== false) throw new MachineCommandError(result, details);
  return result;
}

export interface Watch {
  /** Stop the timer and drop the abort listener. */
  dispose(): void;
}

/**
 * Call `onStop('timeout')` after `timeoutMs`, or `onStop('abort')` when the
 * signal aborts (at once if it already has), whichever comes first.
 */
export function watchOperation(timeoutMs: number, signal: AbortSignal | undefined, onStop: (why: 'timeout' | 'abort') => void): Watch {
  let stopped = false;
  const stop = (why: 'timeout' | 'abort') => {
    if (stopped) return;
    stopped = true;
    dispose();
    onStop(why);
  };
  const onAbort = () => stop('abort');
  const timer = setTimeout(() => stop('timeout'), timeoutMs);
  signal?.addEventListener('abort', onAbort, { once: true });
  const dispose = () => {
    clearTimeout(timer);
    signal?.removeEventListener('abort', onAbort);
  };
  if (signal?.aborted) queueMicrotask(onAbort);
  return { dispose };
}

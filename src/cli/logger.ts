import type { Logger } from '../logger.js';
import type { Write } from './io.js';

/** The CLI's logger: warnings and errors always, info and debug with --verbose. */
export function cliLogger(write: Write, verbose: boolean): Logger {
  const line = (level: string, message: string, meta?: Record<string, unknown>) => {
    const extra =
      meta && Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta, (_k, v: unknown) => (v instanceof Error ? v.message : v))}` : '';
    write(`${level}: ${message}${extra}`);
  };
  return {
    debug: (m, meta) => verbose && line('debug', m, meta),
    info: (m, meta) => verbose && line('info', m, meta),
    warn: (m, meta) => line('warning', m, meta),
    error: (m, meta) => line('error', m, meta),
  };
}

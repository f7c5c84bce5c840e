import { SCHEDULER_EVENTS, type SchedulerEventSource } from '../../events.js';
import type { Write } from '../io.js';

/** Version of the `--json` event stream (README "The command line"); bump on an incompatible change. */
export const NDJSON_VERSION = 1;

// A listener's own failure is the CLI's business (logged), not a run event.
const EVENTS = SCHEDULER_EVENTS.filter((e) => e !== 'listener:error');

/** An error as JSON: message, code and class; the stack and cause chain with `-v`. */
export function errorJson(error: unknown, verbose: boolean, depth = 0): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(verbose && error.stack ? { stack: error.stack } : {}),
    ...(verbose && error.cause !== undefined && depth < 10 ? { cause: errorJson(error.cause, verbose, depth + 1) } : {}),
  };
}

function jsonValue(value: unknown, verbose: boolean): unknown {
  if (value instanceof Error) return errorJson(value, verbose);
  if (Array.isArray(value)) return value.map((v) => jsonValue(v, verbose));
  return value;
}

/** One line of JSON per scheduler event on `write` (stdout); the caller adds the final summary line. */
export function attachNdjson(events: SchedulerEventSource, write: Write, verbose: boolean, now = () => new Date()): () => void {
  const offs = EVENTS.map((event) =>
    events.on(event, (payload) => {
      const fields = Object.fromEntries(Object.entries(payload).map(([k, v]) => [k, jsonValue(v, verbose)]));
      write(JSON.stringify({ v: NDJSON_VERSION, event, time: now().toISOString(), ...fields }));
    }),
  );
  return () => offs.forEach((off) => off());
}

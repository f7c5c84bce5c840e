// Progress for the tasks that run the scheduler: NDJSON (--json), a live terminal view, or
// timestamped lines; chosen from the io's display. The library itself prints nothing.
import type { SchedulerEventSource } from '../../events.js';
import type { CliIo, Write } from '../io.js';
import { palette } from './colour.js';
import { PLAIN } from './display.js';
import { NDJSON_VERSION, attachNdjson, errorJson } from './ndjson.js';
import { attachPlain } from './plain.js';
import { Tally } from './tally.js';

export interface Progress {
  /** Where log lines go (stderr; above the live frame on a terminal). */
  log: Write;
  /** Each failed group's error in this run, for `-v` stacks. */
  readonly errors: ReadonlyMap<string, Error>;
  /** Stop listening; with --json, write the final summary line. */
  finish(result: { exitCode: number } | { error: unknown }): void;
}

export async function attachProgress(
  events: SchedulerEventSource,
  io: CliIo,
  options: { verbose: boolean; total: () => number },
): Promise<Progress> {
  const tally = new Tally(events);
  const started = performance.now();
  const display = io.display ?? PLAIN;
  const colour = palette(display.colour && !io.ndjson);
  let log: Write = io.err;
  let detach: () => void;
  if (io.ndjson) {
    detach = attachNdjson(events, io.ndjson, options.verbose);
  } else if (display.live && display.terminal) {
    const { attachLive } = await import('./live.js'); // log-update only where it draws
    const live = attachLive(events, display.terminal, { colour, tally, total: options.total });
    log = live.above(io.err);
    detach = live.detach;
  } else {
    detach = attachPlain(events, io.out, { colour, many: () => options.total() > 20 });
  }
  return {
    log: (line) => log(line),
    errors: tally.errors,
    finish(result) {
      detach();
      tally.detach();
      if (!io.ndjson) return;
      const summary = {
        v: NDJSON_VERSION,
        event: 'summary',
        time: new Date().toISOString(),
        ...('exitCode' in result ? { ok: result.exitCode === 0, exitCode: result.exitCode } : { ok: false, error: errorJson(result.error, options.verbose) }),
        durationMs: Math.round(performance.now() - started),
        counts: { done: tally.done, failed: tally.failed, blocked: tally.blocked, stopped: tally.stopped },
        groups: Object.fromEntries(tally.outcomes),
      };
      io.ndjson(JSON.stringify(summary));
    },
  };
}

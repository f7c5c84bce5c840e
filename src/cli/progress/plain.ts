import type { SchedulerEventSource } from '../../events.js';
import type { Write } from '../io.js';
import type { Palette } from './colour.js';
import { GROUP_LINES, STEP_LINES } from './text.js';

/** `12:03:04.120`: local time of day, enough to line a log up with other logs of the same run. */
export function timeOfDay(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export interface PlainOptions {
  colour: Palette;
  /** True once the run is big enough that per-step lines would drown the group lines. */
  many: () => boolean;
  now?: () => Date;
}

/** Timestamped lines, one per group event and failure; per step too while few groups run. */
export function attachPlain(events: SchedulerEventSource, write: Write, options: PlainOptions): () => void {
  const now = options.now ?? (() => new Date());
  const c = options.colour;
  const offs: (() => void)[] = [];
  const stamp = (line: string) => write(`${c.dim(timeOfDay(now()))} ${line}`);
  for (const [event, line] of Object.entries(GROUP_LINES)) {
    offs.push(events.on(event as 'group:start', (p) => stamp((line as (p: unknown, c: Palette) => string)(p, c))));
  }
  let many: boolean | undefined; // decided at the first step, when the run's groups are scheduled
  for (const [event, line] of Object.entries(STEP_LINES)) {
    offs.push(
      events.on(event as 'step:start', (p) => {
        many ??= options.many();
        if (!many) stamp((line as (p: unknown, c: Palette) => string)(p, c));
      }),
    );
  }
  return () => offs.forEach((off) => off());
}

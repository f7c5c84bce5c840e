// The terminal view. log-update (sindresorhus, Node >= 20, pinned in package.json) redraws a
// frame in place and keeps finished lines in the scrollback (`persist`); we feed it from the
// scheduler's events ourselves, which a task-runner library such as listr2 (it wants to own
// the tasks' promises) would not let us do, and it costs one small dependency tree.
import { createLogUpdate } from 'log-update';
import type { SchedulerEventSource } from '../../events.js';
import type { Write } from '../io.js';
import type { Palette } from './colour.js';
import type { Terminal } from './display.js';
import type { Tally } from './tally.js';
import { GROUP_LINES, STEP_LINES } from './text.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 80;
const SHOWN_IN_FLIGHT = 8;

export interface LiveOptions {
  colour: Palette;
  tally: Tally;
  /** How many groups the run has; above MANY the view is a summary. */
  total: () => number;
}

export const MANY = 20;

export interface LiveView {
  /** Print a line (a log line, to stderr) above the frame without tearing it. */
  above(write: Write): Write;
  detach(): void;
}

export function attachLive(events: SchedulerEventSource, terminal: Terminal, options: LiveOptions): LiveView {
  const { colour: c, tally } = options;
  const draw = createLogUpdate(terminal.stream, { showCursor: true }); // no cursor hiding: no exit hook to fight our Ctrl-C handling
  let tick = 0;
  let many: boolean | undefined;
  // Decided once the run has begun (its groups are scheduled by then): a redraw before that
  // would see an empty state and fix the mode too early.
  const isMany = () => many ?? (tally.started ? (many = options.total() > MANY) : false);
  const persist = (line: string) => draw.persist(line);

  const offs: (() => void)[] = [];
  for (const [event, line] of Object.entries(GROUP_LINES)) {
    if (event === 'group:start' || event === 'deprovision:start') continue; // the frame shows what runs
    offs.push(
      events.on(event as 'group:finish', (p) => {
        // With many groups only what went wrong stays in the scrollback; the counts say the rest.
        if (isMany() && (event === 'group:finish' || event === 'deprovision:finish')) return;
        persist((line as (p: unknown, c: Palette) => string)(p, c));
      }),
    );
  }
  const stepDone = STEP_LINES['step:finish']!;
  offs.push(events.on('step:finish', (p) => isMany() || persist(`  ${c.green('✔')}${stepDone(p, c).slice(1)}`)));

  const frame = (final: boolean): string => {
    const spin = c.cyan(SPINNER[tick % SPINNER.length]!);
    const step = (g: string) => {
      const s = tally.running.get(g);
      return s ? `${g} [${s.step + 1}] ${s.provisioner}` : g;
    };
    if (!isMany()) return final ? '' : [...tally.running.keys()].map((g) => `${spin} ${step(g)}`).join('\n');
    const counts = [
      `${tally.running.size} running`,
      c.green(`${tally.done} done`),
      tally.failed > 0 ? c.red(`${tally.failed} failed`) : `0 failed`,
      ...(tally.blocked > 0 ? [c.yellow(`${tally.blocked} blocked`)] : []),
    ].join(' · ');
    const head = `${final ? ' ' : spin} ${counts}  ${c.dim(`of ${options.total()}`)}`;
    const flying = [...tally.running.keys()];
    if (final || flying.length === 0) return head;
    const more = flying.length > SHOWN_IN_FLIGHT ? c.dim(` … +${flying.length - SHOWN_IN_FLIGHT} more`) : '';
    return `${head}\n  ${flying.slice(0, SHOWN_IN_FLIGHT).map(step).join(', ')}${more}`;
  };

  // Redrawn on a timer, not per event: 10,000 groups emit ~60,000 events.
  const timer = setInterval(() => {
    tick++;
    const text = frame(false);
    if (text === '') draw.clear(); // nothing in flight: no empty line left behind
    else draw(text);
  }, FRAME_MS);
  timer.unref();
  terminal.frame = { clear: () => draw.clear() };

  return {
    above: (write) => (line) => {
      draw.clear();
      write(line);
    },
    detach() {
      clearInterval(timer);
      terminal.frame = undefined;
      for (const off of offs) off();
      const last = frame(true);
      if (last === '') draw.clear();
      else draw.persist(last);
      draw.done();
    },
  };
}

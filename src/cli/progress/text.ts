import type { SchedulerEventMap } from '../../events.js';
import type { Palette } from './colour.js';

export function ms(n: number): string {
  return n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`;
}

type Line<E extends keyof SchedulerEventMap> = (p: SchedulerEventMap[E], c: Palette) => string;

/** One line per group-level event: what plain mode prints, and what the live view keeps above its frame. */
export const GROUP_LINES: { [E in keyof SchedulerEventMap]?: Line<E> } = {
  'group:start': ({ group, resumeAt }, c) => `${c.cyan('▸')} ${group}: ${resumeAt > 0 ? `resuming at step ${resumeAt + 1}` : 'starting'}`,
  'group:finish': ({ group, durationMs }, c) => `${c.green('✔')} ${group} provisioned in ${ms(durationMs)}`,
  'group:fail': ({ group, error }, c) => `${c.red('✘')} ${group} failed: ${error.message}`,
  'group:stopped': ({ group, nextStep }, c) => `${c.yellow('■')} ${group} stopped; the next run continues at step ${nextStep + 1}`,
  'group:blocked': ({ group, blockedBy }, c) => `${c.yellow('⊘')} ${group} blocked by ${blockedBy.join(', ')}`,
  'group:unhealthy': ({ group, step, provisioner, reason }, c) => `${c.yellow('✚')} ${group} unhealthy, replacing it: [${step + 1}] ${provisioner}: ${reason}`,
  'deprovision:start': ({ group }, c) => `${c.cyan('▾')} ${group}: deprovisioning`,
  'shutdown:fail': ({ group, step, provisioner, error, forced }, c) =>
    `  ${c.red('✘')} ${group} [${step + 1}] ${provisioner} shutdown failed${forced ? ' (forced on)' : ''}: ${error.message}`,
  'deprovision:finish': ({ group, durationMs, failures }, c) =>
    `${c.green('✔')} ${group} deprovisioned in ${ms(durationMs)}${failures.length > 0 ? ` (${failures.length} shutdown failure(s) forced past)` : ''}`,
  'deprovision:fail': ({ group, error }, c) => `${c.red('✘')} ${group} deprovision failed: ${error.message}`,
};

/** Per-step lines, printed only while few groups run. */
export const STEP_LINES: { [E in keyof SchedulerEventMap]?: Line<E> } = {
  'step:start': ({ group, step, provisioner, resumed }) => `  ${group} [${step + 1}] ${provisioner}${resumed ? ' (resumed)' : ''} …`,
  'step:finish': ({ group, step, provisioner, durationMs }, c) => `  ${group} [${step + 1}] ${provisioner} ${c.dim(`done in ${ms(durationMs)}`)}`,
};

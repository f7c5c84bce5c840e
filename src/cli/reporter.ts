import type { SchedulerEventSource } from '../events.js';
import type { Write } from './io.js';

function ms(n: number): string {
  return n < 1000 ? `${n} ms` : `${(n / 1000).toFixed(1)} s`;
}

/** Prints progress as the scheduler's events arrive. Returns a function that unsubscribes. */
export function attachReporter(events: SchedulerEventSource, write: Write): () => void {
  const offs = [
    events.on('group:start', ({ group, resumeAt }) =>
      write(`▸ ${group}: ${resumeAt > 0 ? `resuming at step ${resumeAt + 1}` : 'starting'}`),
    ),
    events.on('step:start', ({ group, step, provisioner, resumed }) =>
      write(`  ${group} [${step + 1}] ${provisioner}${resumed ? ' (resumed)' : ''} …`),
    ),
    events.on('step:finish', ({ group, step, provisioner, durationMs }) =>
      write(`  ${group} [${step + 1}] ${provisioner} done in ${ms(durationMs)}`),
    ),
    events.on('group:finish', ({ group, durationMs }) => write(`✔ ${group} provisioned in ${ms(durationMs)}`)),
    events.on('group:fail', ({ group, error }) => write(`✘ ${group} failed: ${error.message}`)),
    events.on('group:stopped', ({ group, nextStep }) => write(`■ ${group} stopped; the next run continues at step ${nextStep + 1}`)),
    events.on('group:blocked', ({ group, blockedBy }) => write(`⊘ ${group} blocked by ${blockedBy.join(', ')}`)),
    events.on('deprovision:start', ({ group }) => write(`▾ ${group}: deprovisioning`)),
    events.on('shutdown:fail', ({ group, step, provisioner, error, forced }) =>
      write(`  ${group} [${step + 1}] ${provisioner} shutdown failed${forced ? ' (forced on)' : ''}: ${error.message}`),
    ),
    events.on('deprovision:finish', ({ group, durationMs, failures }) =>
      write(
        `✔ ${group} deprovisioned in ${ms(durationMs)}${failures.length > 0 ? ` (${failures.length} shutdown failure(s) forced past)` : ''}`,
      ),
    ),
    events.on('deprovision:fail', ({ group, error }) => write(`✘ ${group} deprovision failed: ${error.message}`)),
  ];
  return () => offs.forEach((off) => off());
}

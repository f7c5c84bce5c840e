// Help text, made from the task table (commands.ts) alone: printing it loads no task module.
import { GLOBAL_OPTIONS, TASK_SPECS, TASKS, type OptionSpec, type Task } from './commands.js';

const FOOTER = `Ctrl-C stops gracefully: no new step starts, steps in flight finish and are recorded.
A second Ctrl-C (or SIGTERM) cancels the steps in flight.

Exit codes: 0 success, 1 a provisioner failed, 2 bad usage or config, 3 state file locked,
4 state file damaged or not a Groundwork state, 130 interrupted.
Colour: on a terminal; none when NO_COLOR is set, FORCE_COLOR=0, CI=true or output is not a terminal.
`;

/** `--state FILE` or `-v, --verbose`, as help shows an option. */
export function optionFlag(name: string, o: OptionSpec): string {
  return `${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`;
}

function optionLines(options: Readonly<Record<string, OptionSpec>>, indent: string): string[] {
  return Object.entries(options).map(([name, o]) => `${indent}${optionFlag(name, o).padEnd(33 - indent.length)}${o.help}`);
}

export const HELP = [
  'Usage: groundwork <task> [options]   (or: npx tsx tasks.ts <task> [options])',
  '',
  'Tasks:',
  ...TASKS.flatMap((t) => [`  ${TASK_SPECS[t].usage.padEnd(31)}${TASK_SPECS[t].summary}`, ...optionLines(TASK_SPECS[t].options, '      ')]),
  '',
  'Options:',
  ...optionLines(GLOBAL_OPTIONS, '  '),
  '',
  'Run `groundwork <task> --help` for one task.',
  '',
  FOOTER,
].join('\n');

/** One task's usage, options and example (`groundwork provision --help`). */
export function taskHelp(task: Task): string {
  const spec = TASK_SPECS[task];
  const own = Object.keys(spec.options).length > 0 ? ['', 'Options:', ...optionLines(spec.options, '  ')] : [];
  return [
    `Usage: groundwork ${spec.usage} [options]`,
    '',
    `${spec.summary}.`,
    ...own,
    '',
    'Global options:',
    ...optionLines(GLOBAL_OPTIONS, '  '),
    '',
    'Example:',
    `  ${spec.example}`,
    '',
  ].join('\n');
}

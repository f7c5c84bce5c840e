import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { GLOBAL_OPTIONS, TASK_SPECS, TASKS, type OptionSpec, type Task } from './commands.js';

export type { Task } from './commands.js';

export interface CliArgs {
  task: Task | 'help';
  groups: string[];
  config: string | undefined;
  state: string | undefined;
  force: boolean;
  cascade: boolean;
  json: boolean;
  except: string[];
  verbose: boolean;
  dryRun: boolean;
}

const FOOTER = `Ctrl-C stops gracefully: no new step starts, steps in flight finish and are recorded.
A second Ctrl-C (or SIGTERM) cancels the steps in flight.

Exit codes: 0 success, 1 a provisioner failed, 2 bad usage or config, 3 state file locked,
4 state file damaged or not a Groundwork state, 130 interrupted.
`;

function optionLines(options: Readonly<Record<string, OptionSpec>>, indent: string): string[] {
  return Object.entries(options).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : ''}--${name}${o.value ? ` ${o.value}` : ''}`;
    return `${indent}${flag.padEnd(31 - indent.length + 2)}${o.help}`;
  });
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
  FOOTER,
].join('\n');

/** Every option any task takes, for node's parseArgs (which tasks take which is checked after). */
function parserOptions(): Record<string, { type: 'boolean' | 'string'; multiple?: boolean; short?: string }> {
  const all: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS };
  for (const t of TASKS) Object.assign(all, TASK_SPECS[t].options);
  return Object.fromEntries(
    Object.entries(all).map(([name, o]) => [
      name,
      { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
    ]),
  );
}

export function parseCli(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: parserOptions() });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Run with --help for usage.`);
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const [task, ...groups] = parsed.positionals;
  if (values.help || task === undefined || task === 'help') return { ...defaults(), task: 'help' };
  if (!(TASKS as readonly string[]).includes(task)) {
    throw new ConfigError(`Unknown task ${JSON.stringify(task)}; expected one of ${TASKS.join(', ')}. Run with --help for usage.`);
  }
  const t = task as Task;
  const spec = TASK_SPECS[t];
  for (const name of Object.keys(values)) {
    if (!(name in GLOBAL_OPTIONS) && !(name in spec.options))
      throw new ConfigError(`Option --${name} does not apply to \`${t}\`. Run with --help for usage.`);
  }
  checkPositionals(t, spec.positionals, groups);
  const flag = (name: string) => values[name] === true;
  return {
    task: t,
    groups,
    config: values.config as string | undefined,
    state: values.state as string | undefined,
    force: flag('force'),
    cascade: flag('cascade'),
    json: flag('json'),
    except: (values.except as string[] | undefined) ?? [],
    verbose: flag('verbose'),
    dryRun: flag('dry-run'),
  };
}

function checkPositionals(t: Task, expected: (typeof TASK_SPECS)[Task]['positionals'], got: string[]): void {
  if (expected === 'at-least-one' && got.length === 0) throw new ConfigError(`\`${t}\` needs at least one group name.`);
  if (expected === 'exactly-one' && got.length !== 1) {
    throw new ConfigError(
      `\`${t}\` takes the lock's id (printed by the "locked" error), got ${got.length === 0 ? 'none' : got.join(' ')}.`,
    );
  }
  if (expected === 'none' && got.length > 0) throw new ConfigError(`\`${t}\` takes no group names, got ${got.join(' ')}.`);
}

function defaults(): Omit<CliArgs, 'task'> {
  return {
    groups: [],
    config: undefined,
    state: undefined,
    force: false,
    cascade: false,
    json: false,
    except: [],
    verbose: false,
    dryRun: false,
  };
}

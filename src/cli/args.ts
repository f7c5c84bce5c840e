import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';
import { redactUrl } from '../state/postgres/redact.js';
import { GLOBAL_OPTIONS, TASK_SPECS, TASKS, type OptionSpec, type Task } from './commands.js';
import { optionFlag } from './help.js';
import { didYouMean } from './suggest.js';

export type { Task } from './commands.js';
export { HELP, taskHelp } from './help.js';

export interface CliArgs {
  task: Task | 'help' | 'version';
  /** With task 'help': the task whose help was asked for (`provision --help`), else the overview. */
  helpFor?: Task;
  groups: string[];
  config: string | undefined;
  state: string | undefined;
  force: boolean;
  cascade: boolean;
  json: boolean;
  except: string[];
  verbose: boolean;
  dryRun: boolean;
  /** provision --replace: groups to replace whether or not they drifted. */
  replace: string[];
  replaceDrifted: boolean;
  /** provision --no-check: skip the health checks of groups already provisioned. */
  noCheck: boolean;
  /** --database URL (State in PostgreSQL): before GROUNDWORK_DATABASE_URL and the config's `database.url`. */
  database?: string;
  // pg-workers
  noWork: boolean;
  concurrency: string | undefined;
  leaseTimeout: string | undefined;
}

const MORE = 'Run `groundwork --help` for usage.';

function allOptions(): Record<string, OptionSpec> {
  const all: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS };
  for (const t of TASKS) Object.assign(all, TASK_SPECS[t].options);
  return all;
}

/** Every option any task takes, for node's parseArgs (which tasks take which is checked after). */
function parserOptions(all: Record<string, OptionSpec>) {
  return Object.fromEntries(
    Object.entries(all).map(([name, o]) => [
      name,
      { type: o.type, ...(o.multiple ? { multiple: true } : {}), ...(o.short ? { short: o.short } : {}) },
    ]),
  );
}

export function parseCli(argv: readonly string[]): CliArgs {
  const all = allOptions();
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options: parserOptions(all) });
  } catch (error) {
    throw new ConfigError(parseErrorMessage(error, argv, all), { cause: error });
  }
  const values = parsed.values as Record<string, string | boolean | string[] | undefined>;
  const [task, ...groups] = parsed.positionals;
  const known = (TASKS as readonly string[]).includes(task ?? '');
  if (task === 'help') return { ...defaults(), task: 'help', ...(groups[0] && isTask(groups[0]) ? { helpFor: groups[0] } : {}) };
  if (values.help) return { ...defaults(), task: 'help', ...(known ? { helpFor: task as Task } : {}) };
  if (values.version) return { ...defaults(), task: 'version' };
  if (task === undefined) return { ...defaults(), task: 'help' };
  if (!known) {
    throw new ConfigError(
      `Unknown task ${JSON.stringify(task)}.${didYouMean(task, TASKS, (s) => `\`${s}\``)} Tasks: ${TASKS.join(', ')}. ${MORE}`,
    );
  }
  const t = task as Task;
  const spec = TASK_SPECS[t];
  for (const name of Object.keys(values)) {
    if (!(name in GLOBAL_OPTIONS) && !(name in spec.options)) {
      const own = Object.keys(spec.options);
      const takers = TASKS.filter((x) => name in TASK_SPECS[x].options);
      throw new ConfigError(
        `Option --${name} does not apply to \`${t}\` (it is an option of ${takers.join(', ')}).` +
          `${didYouMean(name, own, (s) => `--${s}`)} Run \`groundwork ${t} --help\` for its options.`,
      );
    }
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
    replace: (values.replace as string[] | undefined) ?? [],
    replaceDrifted: flag('replace-drifted'),
    noCheck: flag('no-check'),
    ...(typeof values.database === 'string' ? { database: values.database } : {}),
    // pg-workers
    noWork: flag('no-work'),
    concurrency: values.concurrency as string | undefined,
    leaseTimeout: values['lease-timeout'] as string | undefined,
  };
}

function isTask(word: string): word is Task {
  return (TASKS as readonly string[]).includes(word);
}

/**
 * node's parseArgs errors in our words. Its messages are jargon with an
 * unbalanced quote and carry no fields, so the tokens of a lenient parse of
 * the same argv tell which option and value were at fault.
 */
function parseErrorMessage(error: unknown, argv: readonly string[], all: Record<string, OptionSpec>): string {
  const code = (error as { code?: string }).code;
  const { tokens } = parseArgs({ args: [...argv], allowPositionals: true, strict: false, tokens: true, options: parserOptions(all) });
  const options = tokens.filter((t) => t.kind === 'option');
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const bad = options.find((t) => !(t.name in all));
    if (bad) {
      // A one-letter flag is one edit from every other: only long names get a suggestion.
      const hint = bad.rawName.startsWith('--') ? didYouMean(bad.name, Object.keys(all), (s) => `--${s}`) : '';
      return `Unknown option ${bad.rawName}.${hint} ${MORE}`;
    }
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    for (const t of options) {
      const o = all[t.name];
      if (!o) continue;
      if (o.type === 'boolean' && t.inlineValue) {
        return `Option --${t.name} is a switch and takes no value, got ${JSON.stringify(t.value)}; write just --${t.name}. ${MORE}`;
      }
      if (o.type === 'string' && (t.value === undefined || t.value.startsWith('-'))) {
        const got = t.value === undefined ? 'nothing' : JSON.stringify(t.value);
        return `Option ${optionFlag(t.name, o)} needs a value, got ${got}; for example ${optionFlag(t.name, o).replace(/ .*/, '')}=${o.value ?? 'VALUE'}. ${MORE}`;
      }
    }
  }
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    const extra = tokens.find((t) => t.kind === 'positional');
    return `Unexpected argument ${JSON.stringify(extra?.kind === 'positional' ? extra.value : '')}. ${MORE}`;
  }
  // A --database URL may carry a password: quote the line with it redacted (issue 12).
  const shown = argv.map((a) => a.replace(/postgres(ql)?:\/\/\S+/g, (url) => redactUrl(url))).join(' ');
  return `Cannot read the command line ${JSON.stringify(shown)}: ${(error as Error).message} ${MORE}`;
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
    replace: [],
    replaceDrifted: false,
    noCheck: false,
    // pg-workers
    noWork: false,
    concurrency: undefined,
    leaseTimeout: undefined,
  };
}

import { parseArgs } from 'node:util';
import { ConfigError } from '../errors.js';

export const TASKS = ['provision', 'deprovision', 'teardown', 'status', 'graph', 'reap', 'unlock'] as const;
export type Task = (typeof TASKS)[number];

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

export const HELP = `Usage: npx tsx tasks.ts <task> [options]

Tasks:
  provision [group...]           Provision the named groups and their dependencies (default: all)
      --dry-run                  Print the plan ("would …" for each action); change nothing
  deprovision <group...>         Shut down groups and remove them from the state
      --force                    Go on through failed shutdowns (they are listed)
      --cascade                  Deprovision the groups that depend on them first
  teardown                       Deprovision every group, dependents first
      --force                    Go on through failed shutdowns
      --except <group>           Keep this group (and what it needs); repeatable
  status                         Show each group's state, report lines and timings
      --json                     Machine-readable output (format in README)
  graph                          Print the groups and their dependencies as Mermaid text
  reap                           Remove machines (netns namespaces) tagged with this state's id
                                 that no record owns, e.g. left by a crash between create and record
      --dry-run                  Only list them
  unlock <lock-id>               Remove a lock left by a process that is gone (the id is in the "locked" error)

Options:
  --config FILE                  Config file (default: ./groundwork.config.ts)
  --state FILE                   State file (default: the config's stateFile, else .groundwork/state.json)
  -v, --verbose                  Also print what provisioners log at info level
  -h, --help                     Show this help

Ctrl-C stops gracefully: no new step starts, steps in flight finish and are recorded.
A second Ctrl-C (or SIGTERM) cancels the steps in flight.

Exit codes: 0 success, 1 a provisioner failed, 2 bad usage or config, 3 state file locked, 130 interrupted.
`;

const ALLOWED: Record<Task, string[]> = {
  provision: ['dry-run'],
  deprovision: ['force', 'cascade'],
  teardown: ['force', 'except'],
  status: ['json'],
  graph: [],
  unlock: [],
  reap: ['dry-run'],
};

export function parseCli(argv: readonly string[]): CliArgs {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        state: { type: 'string' },
        force: { type: 'boolean', default: false },
        cascade: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        except: { type: 'string', multiple: true, default: [] },
        help: { type: 'boolean', short: 'h', default: false },
        verbose: { type: 'boolean', short: 'v', default: false },
        'dry-run': { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Run with --help for usage.`);
  }
  const { values, positionals } = parsed;
  const [task, ...groups] = positionals;
  if (values.help || task === undefined || task === 'help') return { ...defaults(), task: 'help' };
  if (!(TASKS as readonly string[]).includes(task)) {
    throw new ConfigError(`Unknown task ${JSON.stringify(task)}; expected one of ${TASKS.join(', ')}. Run with --help for usage.`);
  }
  const t = task as Task;
  for (const flag of ['force', 'cascade', 'json', 'dry-run'] as const) {
    if (values[flag] && !ALLOWED[t].includes(flag))
      throw new ConfigError(`Option --${flag} does not apply to \`${t}\`. Run with --help for usage.`);
  }
  if (values.except.length > 0 && !ALLOWED[t].includes('except')) throw new ConfigError(`Option --except does not apply to \`${t}\`.`);
  if (t === 'deprovision' && groups.length === 0) throw new ConfigError('`deprovision` needs at least one group name.');
  if (t === 'unlock' && groups.length !== 1) {
    throw new ConfigError(
      `\`unlock\` takes the lock's id (printed by the "locked" error), got ${groups.length === 0 ? 'none' : groups.join(' ')}.`,
    );
  }
  if (['teardown', 'status', 'graph', 'reap'].includes(t) && groups.length > 0) {
    throw new ConfigError(`\`${t}\` takes no group names, got ${groups.join(' ')}.`);
  }
  return {
    task: t,
    groups,
    config: values.config,
    state: values.state,
    force: values.force,
    cascade: values.cascade,
    json: values.json,
    except: values.except,
    verbose: values.verbose,
    dryRun: values['dry-run'],
  };
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

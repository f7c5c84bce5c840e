// What the command line accepts, task by task: the parser, the help text and the
// checks all read this table, so a new task or option is one entry here.

export interface OptionSpec {
  type: 'boolean' | 'string';
  multiple?: boolean;
  short?: string;
  /** Placeholder shown in help for a string option (`FILE`, `<group>`). */
  value?: string;
  help: string;
}

export interface TaskSpec {
  /** `provision [group...]`: the task and its positionals, as help shows them. */
  usage: string;
  summary: string;
  /** How many positionals (group names or an id) the task takes. */
  positionals: 'none' | 'any' | 'at-least-one' | 'exactly-one';
  /** Task-specific options, by name. */
  options: Readonly<Record<string, OptionSpec>>;
  example: string;
}

export const TASK_SPECS = {
  provision: {
    usage: 'provision [group...]',
    summary: 'Provision the named groups and their dependencies (default: all)',
    positionals: 'any',
    options: {
      'dry-run': { type: 'boolean', help: 'Print the plan ("would …" for each action); change nothing' },
      json: { type: 'boolean', help: 'Stream one JSON event per line on stdout (NDJSON, format in README)' },
      replace: {
        type: 'string',
        multiple: true,
        value: '<group>',
        help: 'Deprovision this group (and its dependents) and provision it again from the config; repeatable',
      },
      'replace-drifted': { type: 'boolean', help: 'Replace (as --replace) every group whose config changed since it was provisioned' },
      // remote-service (issue 10): health on reuse
      'no-check': { type: 'boolean', help: 'Skip the health checks of groups already provisioned (an unhealthy one is otherwise replaced)' },
      // pg-workers
      'no-work': { type: 'boolean', help: 'With a database: only schedule and watch; leave the steps to `groundwork worker`s' },
      'lease-timeout': { type: 'string', value: 'SECONDS', help: 'With a database: as `worker --lease-timeout` for the steps this process runs (default 10)' },
    },
    example: 'groundwork provision app',
  },
  deprovision: {
    usage: 'deprovision <group...>',
    summary: 'Shut down groups and remove them from the state',
    positionals: 'at-least-one',
    options: {
      force: { type: 'boolean', help: 'Go on through failed shutdowns (they are listed)' },
      cascade: { type: 'boolean', help: 'Deprovision the groups that depend on them first' },
      json: { type: 'boolean', help: 'Stream one JSON event per line on stdout (NDJSON, format in README)' },
    },
    example: 'groundwork deprovision db --cascade',
  },
  teardown: {
    usage: 'teardown',
    summary: 'Deprovision every group, dependents first',
    positionals: 'none',
    options: {
      force: { type: 'boolean', help: 'Go on through failed shutdowns' },
      except: { type: 'string', multiple: true, value: '<group>', help: 'Keep this group (and what it needs); repeatable' },
      json: { type: 'boolean', help: 'Stream one JSON event per line on stdout (NDJSON, format in README)' },
    },
    example: 'groundwork teardown --except db',
  },
  status: {
    usage: 'status',
    summary: "Show each group's state, report lines and timings",
    positionals: 'none',
    options: {
      json: { type: 'boolean', help: 'Machine-readable output (format in README)' },
    },
    example: 'groundwork status --json',
  },
  output: {
    usage: 'output <group>',
    summary: "Print a group's output: what its last step returned (key = value lines)",
    // Exactly one, checked by the task: the parser's "exactly-one" message is the unlock id's.
    positionals: 'at-least-one',
    options: {
      json: { type: 'boolean', help: 'The output as JSON' },
    },
    example: 'groundwork output db --json',
  },
  graph: {
    usage: 'graph',
    summary: 'Print the groups and their dependencies as Mermaid text',
    positionals: 'none',
    options: {},
    example: 'groundwork graph',
  },
  reap: {
    usage: 'reap',
    summary: "Remove machines (netns namespaces) tagged with this state's id that no record owns",
    positionals: 'none',
    options: {
      'dry-run': { type: 'boolean', help: 'Only list them' },
    },
    example: 'groundwork reap --dry-run',
  },
  unlock: {
    usage: 'unlock <lock-id>',
    summary: 'Remove a lock left by a process that is gone (the id is in the "locked" error)',
    positionals: 'exactly-one',
    options: {},
    example: 'groundwork unlock 3f2a…',
  },
  doctor: {
    usage: 'doctor',
    summary: 'Check that this host has what the config\'s drivers need (root, ip, sshd, hosts files), with the fix for each',
    positionals: 'none',
    options: {},
    example: 'groundwork doctor',
  },
  // plugins-model (issue 11)
  plugins: {
    usage: 'plugins',
    summary: "List the provider and automator plugins: the built-ins, then those found in the config's plugin dirs",
    positionals: 'none',
    options: {
      json: { type: 'boolean', help: 'Machine-readable output: kind, type, source and fields of each plugin' },
    },
    example: 'groundwork plugins --json',
  },
  // --- pg-workers (issue 12) ---
  worker: {
    usage: 'worker',
    summary: 'Take step jobs from the database (--database) and run them, until SIGINT/SIGTERM',
    positionals: 'none',
    options: {
      concurrency: { type: 'string', value: 'N', help: 'Steps run at once by this worker (default 4)' },
      'lease-timeout': { type: 'string', value: 'SECONDS', help: "How long a silent worker keeps its steps before another takes them over (default 10)" },
    },
    example: 'GROUNDWORK_DATABASE_URL=postgres://… groundwork worker --concurrency 8',
  },
  workers: {
    usage: 'workers',
    summary: 'List the live workers of the database and what each runs',
    positionals: 'none',
    options: {
      json: { type: 'boolean', help: 'Machine-readable output' },
    },
    example: 'groundwork workers --database postgres://…',
  },
  // --- end pg-workers ---
} as const satisfies Record<string, TaskSpec>;

export type Task = keyof typeof TASK_SPECS;
export const TASKS = Object.keys(TASK_SPECS) as Task[];

/** Options every task takes. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  config: { type: 'string', value: 'FILE', help: 'Config file (default: ./groundwork.config.ts)' },
  state: { type: 'string', value: 'FILE', help: "State file (default: the config's stateFile, else .groundwork/state.json)" },
  // State in PostgreSQL (issue 12)
  database: {
    type: 'string',
    value: 'URL',
    help: "Keep the state in PostgreSQL (postgres://…), not the state file (else GROUNDWORK_DATABASE_URL, else the config's database)",
  },
  verbose: { type: 'boolean', short: 'v', help: 'Also print what provisioners log at info level' },
  help: { type: 'boolean', short: 'h', help: 'Show this help (after a task: that task\'s help)' },
  version: { type: 'boolean', help: "Print Groundwork's version" },
};

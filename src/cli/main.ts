import { ErrorCode, GroundworkError } from '../errors.js';
import { HELP, parseCli, taskHelp, type Task } from './args.js';
import { ExitCode } from './exit-codes.js';
import type { CliIo } from './io.js';
import { jsonIo } from './progress/json-io.js';
import { taskContext, type TaskContext } from './task-context.js';
import { packageVersion } from './version.js';

export { ExitCode } from './exit-codes.js';
export type { CliIo } from './io.js';

type TaskRunner = (ctx: TaskContext) => Promise<number>;

// Each task's module is loaded only when that task runs: `--help` loads none of
// them, `status` no scheduler, no driver and no SSH stack.
const TASKS: Record<Task, () => Promise<TaskRunner>> = {
  provision: async () => (await import('./tasks/provision.js')).provision,
  deprovision: async () => (await import('./tasks/deprovision.js')).deprovision,
  teardown: async () => (await import('./tasks/teardown.js')).teardown,
  status: async () => (await import('./tasks/status.js')).status,
  output: async () => (await import('./tasks/output.js')).output,
  graph: async () => (await import('./tasks/graph.js')).graph,
  reap: async () => (await import('./tasks/reap.js')).reap,
  unlock: async () => (await import('./tasks/unlock.js')).unlock,
  doctor: async () => (await import('./tasks/doctor.js')).doctor,
  // plugins-model (issue 11)
  plugins: async () => (await import('./tasks/plugins.js')).plugins,
  // pg-workers
  worker: async () => (await import('./tasks/worker.js')).worker,
  workers: async () => (await import('./tasks/workers.js')).workers,
};

/** Runs one task; returns the exit code. Prints through `io`, never directly. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    const args = parseCli(argv);
    if (args.task === 'help') {
      io.out(args.helpFor ? taskHelp(args.helpFor) : HELP);
      return ExitCode.Ok;
    }
    if (args.task === 'version') {
      io.out(packageVersion());
      return ExitCode.Ok;
    }
    const run = await TASKS[args.task]();
    // --json on a task that runs the scheduler: stdout carries only its NDJSON events.
    const streams = args.json && (args.task === 'provision' || args.task === 'teardown' || args.task === 'deprovision');
    return await run(taskContext(args, streams ? jsonIo(io) : io));
  } catch (error) {
    return reportError(error, io);
  }
}

const USAGE_CODES: readonly string[] = [
  ErrorCode.Config,
  ErrorCode.Graph,
  ErrorCode.UnknownGroup,
  ErrorCode.NotSerializable,
  ErrorCode.HasDependents,
  // plugins-model (issue 11): a bad plugin descriptor or field is configuration
  ErrorCode.Plugin,
];

function reportError(error: unknown, io: CliIo): number {
  // DatabaseLocked / SchemaVersion: the PostgreSQL state's "locked" and "not readable" (issue 12).
  if (
    error instanceof GroundworkError &&
    (error.code === ErrorCode.Locked || error.code === ErrorCode.UnlockRefused || error.code === ErrorCode.DatabaseLocked)
  ) {
    io.err(`error: ${error.message}`);
    return ExitCode.Locked;
  }
  if (error instanceof GroundworkError && (error.code === ErrorCode.StateFile || error.code === ErrorCode.SchemaVersion)) {
    io.err(`error: ${error.message}`);
    return ExitCode.StateFile;
  }
  if (error instanceof GroundworkError) {
    io.err(`error: ${error.message}`);
    return USAGE_CODES.includes(error.code) ? ExitCode.Usage : ExitCode.Failed;
  }
  io.err(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return ExitCode.Failed;
}

import { ExitCode } from '../exit-codes.js';
import { signals } from '../io.js';
import type { TaskContext } from '../task-context.js';
import { configForShutdown, leftRunning, stateBefore } from '../teardown-support.js';
import { withScheduler } from '../with-scheduler.js';
import { stateTarget } from '../state-target.js';
import { teardownOnWorkers } from './teardown-workers.js';
import { requireConfig } from './worker.js';

export async function deprovision(ctx: TaskContext): Promise<number> {
  const { args, io } = ctx;
  const config = await configForShutdown(ctx);
  const target = stateTarget(ctx, config); // the file, or a database (issue 12)
  // With a database (issue 12), always through the workers: this process is one more.
  if (target.kind === 'database') return teardownOnWorkers(ctx, requireConfig(config), target, args.groups);
  const before = await stateBefore(args.force, target.file);
  return withScheduler(target.file, config, args.verbose, io, async (scheduler) => {
    const forced = await scheduler.deprovision(args.groups, { force: args.force, cascade: args.cascade, ...signals(io) });
    for (const f of forced) io.err(`warning: ${f.message}`);
    for (const line of leftRunning(forced, before)) io.err(line);
    // A record dropped without its shutdown is not a clean deprovision.
    return forced.length === 0 ? ExitCode.Ok : ExitCode.Failed;
  });
}

import { ExitCode } from '../exit-codes.js';
import { signals } from '../io.js';
import type { TaskContext } from '../task-context.js';
import { configForShutdown, leftRunning, stateBefore } from '../teardown-support.js';
import { withScheduler } from '../with-scheduler.js';
import { stateTarget } from '../state-target.js';
import { onWorkers, requireConfig, teardownOnWorkers } from './worker.js';

export async function teardown(ctx: TaskContext): Promise<number> {
  const { args, io } = ctx;
  const config = await configForShutdown(ctx);
  const target = stateTarget(ctx, config); // the file, or a database (issue 12)
  // pg-workers: a database with live workers (or --no-work) runs it through the workers
  if (target.kind === 'database' && (await onWorkers(ctx, target))) return teardownOnWorkers(ctx, requireConfig(config), target, 'all');
  const before = await stateBefore(args.force, target);
  return withScheduler(target, config, args.verbose, io, async (scheduler) => {
    const summary = await scheduler.teardown({ force: args.force, except: args.except, ...signals(io) });
    for (const f of summary.forcedFailures) io.err(`warning: ${f.message}`);
    for (const line of leftRunning(summary.forcedFailures, before)) io.err(line);
    if (summary.kept.length > 0) io.out(`Kept: ${summary.kept.join(', ')}`);
    io.out(
      summary.ok
        ? `Torn down ${summary.removed.length} group(s).`
        : `Teardown incomplete: ${summary.failed.map((f) => f.group).join(', ')} failed.`,
    );
    // A record dropped without its shutdown is not a clean teardown.
    return summary.ok && summary.forcedFailures.length === 0 ? ExitCode.Ok : ExitCode.Failed;
  });
}

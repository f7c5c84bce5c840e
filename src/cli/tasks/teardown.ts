import { ExitCode } from '../exit-codes.js';
import { signals } from '../io.js';
import type { TaskContext } from '../task-context.js';
import { configForShutdown, leftRunning, stateBefore } from '../teardown-support.js';
import { withScheduler } from '../with-scheduler.js';
import { stateTarget } from '../state-target.js';
import { teardownOnWorkers } from './teardown-workers.js';
import { requireConfig } from './worker.js';

export async function teardown(ctx: TaskContext): Promise<number> {
  const { args, io } = ctx;
  const config = await configForShutdown(ctx);
  const target = stateTarget(ctx, config); // the file, or a database (issue 12)
  // With a database (issue 12), always through the workers: this process is one more.
  if (target.kind === 'database') return teardownOnWorkers(ctx, requireConfig(config), target, 'all');
  const before = await stateBefore(args.force, target.file);
  return withScheduler(target.file, config, args.verbose, io, async (scheduler) => {
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

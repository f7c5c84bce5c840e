import { ExitCode } from '../exit-codes.js';
import { signals } from '../io.js';
import type { TaskContext } from '../task-context.js';
import { withScheduler } from '../with-scheduler.js';

export async function teardown({ args, io, config: loadConfig, stateFile }: TaskContext): Promise<number> {
  const config = await loadConfig();
  return withScheduler(stateFile(config), config, args.verbose, io, async (scheduler) => {
    const summary = await scheduler.teardown({ force: args.force, except: args.except, ...signals(io) });
    for (const f of summary.forcedFailures) io.err(`warning: ${f.message}`);
    if (summary.kept.length > 0) io.out(`Kept: ${summary.kept.join(', ')}`);
    io.out(
      summary.ok
        ? `Torn down ${summary.removed.length} group(s).`
        : `Teardown incomplete: ${summary.failed.map((f) => f.group).join(', ')} failed.`,
    );
    return summary.ok ? ExitCode.Ok : ExitCode.Failed;
  });
}

import { ExitCode } from '../exit-codes.js';
import { signals } from '../io.js';
import type { TaskContext } from '../task-context.js';
import { withScheduler } from '../with-scheduler.js';

export async function deprovision({ args, io, config: loadConfig, stateFile }: TaskContext): Promise<number> {
  const config = await loadConfig();
  return withScheduler(stateFile(config), config, args.verbose, io, async (scheduler) => {
    const forced = await scheduler.deprovision(args.groups, { force: args.force, cascade: args.cascade, ...signals(io) });
    for (const f of forced) io.err(`warning: ${f.message}`);
    return ExitCode.Ok;
  });
}

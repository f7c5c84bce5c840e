// `teardown` / `deprovision` with a database (issue 12): always through the workers, this
// process one more worker. --force as in the file mode: a failed shutdown's record is dropped
// anyway (the workers go on, forced.ts), each is printed as a warning with what may still run,
// and the exit code is 1.
import type { ResolvedConfig } from '../../config/load.js';
import { ShutdownFailedError } from '../../errors.js';
import { submitTeardown } from '../../workers/submitter.js';
import { ExitCode } from '../exit-codes.js';
import type { TaskContext } from '../task-context.js';
import { leftRunning, stateBefore } from '../teardown-support.js';
import { withWorkerSession, type DatabaseTarget } from './worker-session.js';

export async function teardownOnWorkers(
  ctx: TaskContext,
  config: ResolvedConfig,
  target: DatabaseTarget,
  names: readonly string[] | 'all',
): Promise<number> {
  const { args, io } = ctx;
  void config; // loaded by the caller: it registered the classes the shutdowns revive
  const before = await stateBefore(args.force, target);
  return withWorkerSession(ctx, target, true, async (s) => {
    const forced: ShutdownFailedError[] = [];
    s.events.on('shutdown:fail', (e) => {
      if (e.forced) forced.push(new ShutdownFailedError(e.error.message, { group: e.group, step: e.step, provisioner: e.provisioner }));
    });
    const options = { cascade: args.cascade, except: args.except, force: args.force };
    const outcomes = await s.phase('down', () => submitTeardown(s.submitContext, names, options));
    if (!outcomes) return ExitCode.Interrupted;
    if (args.force) await s.flush(); // the last forced failures were sent in the commit that removed their group
    for (const f of forced) io.err(`warning: ${f.message}`);
    for (const line of leftRunning(forced, before)) io.err(line);
    const ok = outcomes.every((o) => o.state === 'removed');
    const kept = outcomes.filter((o) => o.state === 'kept').map((o) => o.group);
    if (kept.length > 0) io.out(`Kept: ${kept.join(', ')}`);
    const failed = outcomes.filter((o) => o.state !== 'removed' && o.state !== 'kept').map((o) => o.group);
    const removed = outcomes.length - kept.length - failed.length;
    io.out(ok ? `Torn down ${removed} group(s).` : `Teardown incomplete: ${failed.join(', ')} failed.`);
    // A record dropped without its shutdown is not a clean teardown.
    return ok && forced.length === 0 ? ExitCode.Ok : ExitCode.Failed;
  });
}

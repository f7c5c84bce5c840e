import { registerBuiltins } from '../builtins.js';
import type { ResolvedConfig } from '../config/load.js';
import { Scheduler } from '../scheduler/scheduler.js';
import type { CliIo } from './io.js';
import { cliLogger } from './logger.js';
import { attachProgress, type Progress } from './progress/index.js';
import { openTargetStore, type StateTarget } from './state-target.js';

/** Open the state (a file path, or a StateTarget: file or PostgreSQL) with the CLI's logger and progress display, run `fn`, close it again. */
export async function withScheduler(
  state: string | StateTarget,
  config: ResolvedConfig | undefined,
  verbose: boolean,
  io: CliIo,
  fn: (s: Scheduler, progress: Progress) => Promise<number>,
): Promise<number> {
  registerBuiltins(); // the process-wide registries, which the config adds its own classes to
  let log = io.err;
  const logger = cliLogger((line) => log(line), verbose);
  const target: StateTarget = typeof state === 'string' ? { kind: 'file', file: state } : state;
  const store = openTargetStore(target, logger);
  const scheduler = await Scheduler.open({ store, logger, ...(config ? { concurrency: config.concurrency } : {}) });
  let total = 0; // read once the run's groups are scheduled (a redraw may ask before)
  const progress = await attachProgress(scheduler.events, io, { verbose, total: () => (total ||= scheduler.groups().length) });
  log = progress.log;
  let exitCode: number | undefined;
  try {
    exitCode = await fn(scheduler, progress);
    return exitCode;
  } catch (error) {
    progress.finish({ error });
    throw error;
  } finally {
    if (exitCode !== undefined) progress.finish({ exitCode });
    await scheduler.close();
  }
}

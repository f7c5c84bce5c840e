import { registerBuiltins } from '../builtins.js';
import type { ResolvedConfig } from '../config/load.js';
import { Scheduler } from '../scheduler/scheduler.js';
import type { CliIo } from './io.js';
import { cliLogger } from './logger.js';
import { attachReporter } from './reporter.js';

/** Open the state with the CLI's logger and progress reporter, run `fn`, close it again. */
export async function withScheduler(
  stateFile: string,
  config: ResolvedConfig | undefined,
  verbose: boolean,
  io: CliIo,
  fn: (s: Scheduler) => Promise<number>,
): Promise<number> {
  registerBuiltins(); // the process-wide registries, which the config adds its own classes to
  const logger = cliLogger(io.err, verbose);
  const scheduler = await Scheduler.open({ stateFile, logger, ...(config ? { concurrency: config.concurrency } : {}) });
  const detach = attachReporter(scheduler.events, io.out);
  try {
    return await fn(scheduler);
  } finally {
    detach();
    await scheduler.close();
  }
}

// Worker mode on the command line (issue 12): `groundwork worker`. The database path of
// provision/teardown/deprovision is in provision-workers.ts and teardown-workers.ts.
import { registerBuiltins } from '../../builtins.js';
import type { ResolvedConfig } from '../../config/load.js';
import { ConfigError } from '../../errors.js';
import { redactUrl } from '../../state/postgres/redact.js';
import type { Worker } from '../../workers/worker.js';
import { ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { stateTarget } from '../state-target.js';
import type { TaskContext } from '../task-context.js';
import { makeWorker } from './worker-session.js';

/** Worker mode needs the config: the workers in this process revive its classes. */
export function requireConfig(config: ResolvedConfig | undefined): ResolvedConfig {
  if (!config)
    throw new ConfigError(
      'With a database the shutdowns run on workers here too, so the config must load: run where groundwork.config.ts is, or pass --config FILE.',
    );
  return config;
}

/** First SIGINT or SIGTERM: finish the steps in flight, then return; a second one cancels them. */
function onStop(io: CliIo, worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (reason: unknown) => {
      if (stopping) return worker.cancel(reason);
      stopping = true;
      resolve();
    };
    io.stopSignal?.addEventListener('abort', () => stop(io.stopSignal!.reason), { once: true });
    io.signal.addEventListener('abort', () => stop(io.signal.reason), { once: true });
  });
}

export async function worker(ctx: TaskContext): Promise<number> {
  const { io } = ctx;
  registerBuiltins();
  const config = await ctx.config();
  if (!config)
    throw new ConfigError(
      '`worker` needs the config (its provisioner classes): run it where groundwork.config.ts is, or pass --config FILE.',
    );
  const target = stateTarget(ctx, config);
  if (target.kind !== 'database') {
    throw new ConfigError(
      "`worker` needs a database: pass --database URL, set GROUNDWORK_DATABASE_URL, or set the config's `database.url`.",
    );
  }
  const w = makeWorker(ctx, target, true, io.err);
  await w.start();
  io.err(`worker ${w.id} started on ${redactUrl(target.url)} (state "${target.state}")`);
  try {
    await onStop(io, w);
    io.err(`worker ${w.id} stopping: finishing ${w.running.length} step(s) in flight`);
  } finally {
    await w.close();
  }
  io.err(`worker ${w.id} stopped`);
  return ExitCode.Ok;
}

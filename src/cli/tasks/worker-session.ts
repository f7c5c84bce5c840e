// The submitting side of worker mode (issue 12): a worker in this process (taking steps unless
// --no-work; sweeping either way), the workers' events shown by the CLI's progress renderers,
// and phases of "submit, then wait until the targets settle" (a replace is two: down, then up).
import { defaultDriverRegistry } from '../../drivers/registry.js';
import { ConfigError } from '../../errors.js';
import { SchedulerEvents } from '../../events.js';
import { defaultRegistry } from '../../serialize/default-registry.js';
import type { SubmitContext } from '../../workers/submitter.js';
import { releaseHeld } from '../../workers/held.js';
import { EventBridge, waitForTargets, type TargetOutcome } from '../../workers/watch.js';
import { Worker } from '../../workers/worker.js';
import { ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { cliLogger } from '../logger.js';
import { attachProgress } from '../progress/index.js';
import type { StateTarget } from '../state-target.js';
import type { TaskContext } from '../task-context.js';

export type DatabaseTarget = Extract<StateTarget, { kind: 'database' }>;

function positiveNumber(option: string, value: string | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new ConfigError(`Expected --${option} to be a ${integer ? 'whole number' : 'number'} above 0, got ${JSON.stringify(value)}.`);
  }
  return n;
}

export function makeWorker(ctx: TaskContext, target: DatabaseTarget, work: boolean, log: (line: string) => void): Worker {
  return new Worker({
    url: target.url,
    state: target.state,
    concurrency: positiveNumber('concurrency', ctx.args.concurrency, work ? 4 : 1, true),
    leaseTimeoutMs: positiveNumber('lease-timeout', ctx.args.leaseTimeout ?? process.env['GROUNDWORK_LEASE_TIMEOUT'], 10, false) * 1000,
    registry: defaultRegistry(),
    drivers: defaultDriverRegistry(),
    logger: cliLogger(log, ctx.args.verbose),
    // Per machine: key folders by name must exist on every worker (README, "Workers").
    dataDir: target.dataDir,
    work,
    // The fallback poll when no NOTIFY comes (tuning, and the LISTEN test, which sets it to an hour).
    ...(process.env['GROUNDWORK_WORKER_POLL_MS']
      ? { pollMs: positiveNumber('GROUNDWORK_WORKER_POLL_MS', process.env['GROUNDWORK_WORKER_POLL_MS'], 500, true) }
      : {}),
  });
}

/** One running session: submit work and wait for it, as often as the task needs. */
export interface WorkerSession {
  worker: Worker;
  /** The scheduler events of the run (the workers' ones, heard through LISTEN, and this process's own). */
  events: SchedulerEvents;
  submitContext: SubmitContext;
  stop: AbortSignal;
  /** Submit, then wait until the targets it returns settle; undefined when interrupted (SIGINT/SIGTERM). */
  phase(mode: 'up' | 'down', submit: () => Promise<string[]>): Promise<TargetOutcome[] | undefined>;
  /** Let the events already committed reach this process (a round trip on the LISTEN connection). */
  flush(): Promise<void>;
}

/** Run `fn` with a session; the worker, its LISTEN connection and the progress display end with it (also on throw). */
export async function withWorkerSession(
  ctx: TaskContext,
  target: DatabaseTarget,
  work: boolean,
  fn: (s: WorkerSession) => Promise<number>,
): Promise<number> {
  const { io } = ctx;
  let log = io.err;
  const events = new SchedulerEvents(cliLogger((l) => log(l), ctx.args.verbose));
  let total = 0;
  const progress = await attachProgress(events.source, io, { verbose: ctx.args.verbose, total: () => total });
  log = progress.log;
  const w = makeWorker(ctx, target, work, (l) => log(l));
  const bridge = new EventBridge(target.url, target.state, events);
  const stop = AbortSignal.any([io.signal, ...(io.stopSignal ? [io.stopSignal] : [])]);
  let exitCode: number | undefined;
  try {
    await w.start();
    await bridge.start();
    const submitContext: SubmitContext = {
      pool: w.pool,
      queue: w.queue,
      state: target.state,
      registry: defaultRegistry(),
      drivers: defaultDriverRegistry(),
      logger: cliLogger((l) => log(l), ctx.args.verbose),
      events,
    };
    const session: WorkerSession = {
      worker: w,
      events,
      submitContext,
      stop,
      async phase(mode, submit) {
        if (stop.aborted) return undefined;
        const targets = await submit();
        total = targets.length;
        const outcomes = await waitForTargets(w.pool, bridge, target.state, targets, mode, stop).catch((e: unknown) => {
          if (stop.aborted) return undefined;
          throw e;
        });
        // Kept (waiting on a failed dependent): provisioned again, as the file mode leaves them.
        if (outcomes)
          await releaseHeld(
            w.pool,
            target.state,
            outcomes.filter((o) => o.state === 'kept').map((o) => o.group),
          );
        return outcomes;
      },
      flush: () => bridge.flush(),
    };
    exitCode = await fn(session);
    return exitCode;
  } catch (error) {
    progress.finish({ error });
    throw error;
  } finally {
    if (exitCode !== undefined) progress.finish({ exitCode });
    await bridge.close();
    await w.close();
  }
}

/** The summary lines and exit code a provision through the workers ends with. */
export function report(io: CliIo, outcomes: readonly TargetOutcome[], ok: boolean, what: string, ms: number): number {
  io.out('');
  for (const o of outcomes) io.out(`  ${o.group.padEnd(20)} ${o.state}${o.error ? `  ${o.error}` : ''}`);
  io.out(`${ok ? what : `Not all groups ${what.toLowerCase().replace(/ .*/, '')}`} in ${(ms / 1000).toFixed(1)} s.`);
  return ok ? ExitCode.Ok : ExitCode.Failed;
}

// Worker mode on the command line (issue 12): `groundwork worker`, and the database
// path of provision/teardown/deprovision (a small branch in each of those tasks calls in here).
import { registerBuiltins } from '../../builtins.js';
import type { ResolvedConfig } from '../../config/load.js';
import { selectGroups } from '../../config/select.js';
import { defaultDriverRegistry } from '../../drivers/registry.js';
import { ConfigError } from '../../errors.js';
import { SchedulerEvents } from '../../events.js';
import { defaultRegistry } from '../../serialize/default-registry.js';
import pg from 'pg';
import { redactUrl } from '../../state/postgres/redact.js';
import { submitProvision, submitTeardown } from '../../workers/submitter.js';
import { EventBridge, waitForTargets, type TargetOutcome } from '../../workers/watch.js';
import { Worker } from '../../workers/worker.js';
import { ExitCode } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { cliLogger } from '../logger.js';
import { attachProgress } from '../progress/index.js';
import { describeTarget, stateTarget, type StateTarget } from '../state-target.js';
import { readPostgresState } from '../../state/postgres/read.js';
import { warnDriftOnWorkers } from './provision-drift.js';
import type { TaskContext } from '../task-context.js';

type DatabaseTarget = Extract<StateTarget, { kind: 'database' }>;

/**
 * Whether a task on a database state goes through the workers: with
 * `--no-work`, or when live workers (a heartbeat in the last 10 s) serve the
 * database; otherwise pg-store's single process (PostgresStore, with the
 * state's lock) runs it, as with a state file.
 */
export async function onWorkers(ctx: TaskContext, target: DatabaseTarget): Promise<boolean> {
  if (ctx.args.noWork) return true;
  const client = new pg.Client({ connectionString: target.url, application_name: 'groundwork-probe' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const r = await client.query(`select to_regclass('groundwork.workers') is not null as there`);
    if (!r.rows[0].there) return false;
    const live = await client.query(`select 1 from groundwork.workers where heartbeat_at > now() - interval '10 seconds' and concurrency > 0 limit 1`);
    return live.rows.length > 0;
  } catch {
    return false; // the single-process path reports an unreachable database in its own words
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Worker mode needs the config: the workers in this process revive its classes. */
export function requireConfig(config: ResolvedConfig | undefined): ResolvedConfig {
  if (!config) throw new ConfigError('With a database the shutdowns run on workers here too, so the config must load: run where groundwork.config.ts is, or pass --config FILE.');
  return config;
}

function positiveNumber(option: string, value: string | undefined, fallback: number, integer: boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new ConfigError(`Expected --${option} to be a ${integer ? 'whole number' : 'number'} above 0, got ${JSON.stringify(value)}.`);
  }
  return n;
}

function makeWorker(ctx: TaskContext, target: DatabaseTarget, work: boolean, log: (line: string) => void): Worker {
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
    ...(process.env['GROUNDWORK_WORKER_POLL_MS'] ? { pollMs: positiveNumber('GROUNDWORK_WORKER_POLL_MS', process.env['GROUNDWORK_WORKER_POLL_MS'], 500, true) } : {}),
  });
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
  if (!config) throw new ConfigError('`worker` needs the config (its provisioner classes): run it where groundwork.config.ts is, or pass --config FILE.');
  const target = stateTarget(ctx, config);
  if (target.kind !== 'database') {
    throw new ConfigError("`worker` needs a database: pass --database URL, set GROUNDWORK_DATABASE_URL, or set the config's `database.url`.");
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

/** The summary lines and exit code both database tasks end with. */
function report(io: CliIo, outcomes: TargetOutcome[], ok: boolean, what: string, ms: number): number {
  io.out('');
  for (const o of outcomes) io.out(`  ${o.group.padEnd(20)} ${o.state}${o.error ? `  ${o.error}` : ''}`);
  io.out(`${ok ? what : `Not all groups ${what.toLowerCase().replace(/ .*/, '')}`} in ${(ms / 1000).toFixed(1)} s.`);
  return ok ? ExitCode.Ok : ExitCode.Failed;
}

/**
 * Run `fn` (submit) with a worker in this process (taking steps unless
 * `work` is false; sweeping either way) and the workers' events shown by
 * the CLI's progress renderers, until the targets settle.
 */
async function session(
  ctx: TaskContext,
  target: DatabaseTarget,
  work: boolean,
  mode: 'up' | 'down',
  submit: (w: Worker, events: SchedulerEvents) => Promise<string[]>,
): Promise<{ outcomes: TargetOutcome[]; ms: number; interrupted: boolean }> {
  const { io } = ctx;
  let log = io.err;
  const events = new SchedulerEvents(cliLogger((l) => log(l), ctx.args.verbose));
  let targets: string[] = [];
  const progress = await attachProgress(events.source, io, { verbose: ctx.args.verbose, total: () => targets.length });
  log = progress.log;
  const w = makeWorker(ctx, target, work, (l) => log(l));
  const bridge = new EventBridge(target.url, target.state, events);
  const started = performance.now();
  let exitCode: number | undefined;
  try {
    await w.start();
    await bridge.start();
    targets = await submit(w, events);
    const stop = AbortSignal.any([io.signal, ...(io.stopSignal ? [io.stopSignal] : [])]);
    const outcomes = await waitForTargets(w.pool, bridge, target.state, targets, mode, stop).catch((e: unknown) => {
      if (stop.aborted) return undefined;
      throw e;
    });
    exitCode = outcomes ? ExitCode.Ok : ExitCode.Interrupted;
    return { outcomes: outcomes ?? [], ms: performance.now() - started, interrupted: !outcomes };
  } catch (error) {
    progress.finish({ error });
    throw error;
  } finally {
    if (exitCode !== undefined) progress.finish({ exitCode });
    await bridge.close();
    await w.close();
  }
}

export async function provisionOnWorkers(ctx: TaskContext, config: ResolvedConfig, target: DatabaseTarget): Promise<number> {
  const { args, io } = ctx;
  if (args.replace.length > 0 || args.replaceDrifted) {
    const flag = args.replaceDrifted ? '--replace-drifted' : `--replace ${args.replace.join(',')}`;
    throw new ConfigError(
      `${flag} is not supported in worker mode (${describeTarget(target)}): replace a group by \`groundwork deprovision <group>\` ` +
        '(or `teardown`), then `groundwork provision` again; `provision --dry-run` shows which groups drifted.',
    );
  }
  const known = config.groups.map((g) => g.name);
  for (const g of args.groups) if (!known.includes(g)) throw new ConfigError(`Unknown group ${JSON.stringify(g)}; groups: ${known.join(', ') || '(none)'}.`);
  const targets = args.groups.length > 0 ? args.groups : known;
  // Drift, as in the single process: a warning from the group records' fingerprints (read without a lock).
  warnDriftOnWorkers(await readPostgresState(target.url, target.state), config, targets, args, io);
  const r = await session(ctx, target, !args.noWork, 'up', async (w, events) => {
    const c = { pool: w.pool, queue: w.queue, state: target.state, registry: defaultRegistry(), drivers: defaultDriverRegistry(), logger: cliLogger(io.err, args.verbose), events };
    return submitProvision(c, w.stateId, selectGroups(config, targets), targets);
  });
  if (r.interrupted) return ExitCode.Interrupted;
  return report(io, r.outcomes, r.outcomes.every((o) => o.state === 'provisioned'), 'Provisioned', r.ms);
}

export async function teardownOnWorkers(ctx: TaskContext, config: ResolvedConfig, target: DatabaseTarget, names: readonly string[] | 'all'): Promise<number> {
  const { args, io } = ctx;
  if (args.force) throw new ConfigError('--force is not supported with a database yet.');
  void config; // loaded by the caller: it registered the classes the shutdowns revive
  const r = await session(ctx, target, true, 'down', async (w, events) => {
    const c = { pool: w.pool, queue: w.queue, state: target.state, registry: defaultRegistry(), drivers: defaultDriverRegistry(), logger: cliLogger(io.err, args.verbose), events };
    return submitTeardown(c, names, { cascade: args.cascade, except: args.except });
  });
  if (r.interrupted) return ExitCode.Interrupted;
  const ok = r.outcomes.every((o) => o.state === 'removed');
  io.out(ok ? `Torn down ${r.outcomes.length} group(s).` : `Teardown incomplete: ${r.outcomes.filter((o) => o.state !== 'removed').map((o) => o.group).join(', ')} failed.`);
  return ok ? ExitCode.Ok : ExitCode.Failed;
}

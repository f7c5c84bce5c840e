import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { registerBuiltins } from '../builtins.js';
import { DEFAULT_CONFIG_FILE, loadConfig, type ResolvedConfig } from '../config/load.js';
import { selectGroups } from '../config/select.js';
import { defaultDriverRegistry } from '../drivers/registry.js';
import { ConfigError, ErrorCode, GroundworkError } from '../errors.js';
import { reapMachines } from '../scheduler/reap.js';
import { dryRunPlan } from '../scheduler/dry-run.js';
import { toMermaid } from '../scheduler/graph.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { statusReport } from '../scheduler/status.js';
import { defaultRegistry } from '../serialize/default-registry.js';
import { DEFAULT_STATE_FILE, readStateFile } from '../state/file-store.js';
import { unlockState } from '../state/lock.js';
import { HELP, parseCli, type CliArgs } from './args.js';
import { cliLogger } from './logger.js';
import { attachReporter, type Write } from './reporter.js';
import { formatStatus } from './status-text.js';

export const ExitCode = { Ok: 0, Failed: 1, Usage: 2, Locked: 3, Interrupted: 130 } as const;

export interface CliIo {
  out: Write;
  err: Write;
  cwd: string;
  /** Aborted on a second SIGINT (or SIGTERM) by tasks.ts: cancels the steps in flight. */
  signal: AbortSignal;
  /** Aborted on the first SIGINT: no new step starts, those in flight finish. */
  stopSignal?: AbortSignal;
}

/** Runs one task; returns the exit code. Prints through `io`, never directly. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  // The command line uses the process-wide registries, built-ins included; configs add their own classes to them.
  registerBuiltins();
  try {
    const args = parseCli(argv);
    if (args.task === 'help') {
      io.out(HELP);
      return ExitCode.Ok;
    }
    const config = await findConfig(args, io.cwd);
    const stateFile = args.state ? resolve(io.cwd, args.state) : (config?.stateFile ?? resolve(io.cwd, DEFAULT_STATE_FILE));
    switch (args.task) {
      case 'status':
        return await status(stateFile, args.json, io);
      case 'graph':
        return await graph(config, stateFile, io);
      case 'unlock':
        return await unlock(stateFile, args.groups[0]!, io);
      case 'reap':
        return await reap(stateFile, config, args.dryRun, io);
      case 'provision':
        if (args.dryRun) return await dryRun(stateFile, config!, args.groups, io);
        return await withScheduler(stateFile, config, args.verbose, io, (s) => runTask(s, args, config, io));
      default:
        return await withScheduler(stateFile, config, args.verbose, io, (s) => runTask(s, args, config, io));
    }
  } catch (error) {
    return reportError(error, io);
  }
}

async function findConfig(args: CliArgs, cwd: string): Promise<ResolvedConfig | undefined> {
  if (args.config) return loadConfig(resolve(cwd, args.config));
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);
  if (existsSync(fallback)) return loadConfig(fallback);
  if (args.task === 'provision') {
    throw new ConfigError(`No ${DEFAULT_CONFIG_FILE} in ${cwd}; create one (see README) or pass --config FILE.`);
  }
  return undefined; // deprovision, teardown and status work from the state alone
}

async function withScheduler(
  stateFile: string,
  config: ResolvedConfig | undefined,
  verbose: boolean,
  io: CliIo,
  fn: (s: Scheduler) => Promise<number>,
): Promise<number> {
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

async function runTask(scheduler: Scheduler, args: CliArgs, config: ResolvedConfig | undefined, io: CliIo): Promise<number> {
  switch (args.task) {
    case 'provision': {
      const known = new Set([...(config?.groups.map((g) => g.name) ?? []), ...scheduler.groups()]);
      for (const g of args.groups) {
        if (!known.has(g)) throw new ConfigError(`Unknown group ${JSON.stringify(g)}; groups: ${[...known].join(', ') || '(none)'}.`);
      }
      const targets = args.groups.length > 0 ? args.groups : (config?.groups.map((g) => g.name) ?? []);
      if (config) await scheduler.scheduleAll(selectGroups(config, targets));
      const summary = await scheduler.run({ groups: targets, ...signals(io) });
      io.out('');
      for (const g of summary.groups) io.out(`  ${g.group.padEnd(20)} ${g.state}${g.error ? `  ${g.error}` : ''}`);
      io.out(`${summary.ok ? 'Provisioned' : 'Not all groups provisioned'} in ${(summary.durationMs / 1000).toFixed(1)} s.`);
      if (summary.aborted) return ExitCode.Interrupted;
      return summary.ok ? ExitCode.Ok : ExitCode.Failed;
    }
    case 'deprovision': {
      const forced = await scheduler.deprovision(args.groups, { force: args.force, cascade: args.cascade, ...signals(io) });
      for (const f of forced) io.err(`warning: ${f.message}`);
      return ExitCode.Ok;
    }
    case 'teardown': {
      const summary = await scheduler.teardown({ force: args.force, except: args.except, ...signals(io) });
      for (const f of summary.forcedFailures) io.err(`warning: ${f.message}`);
      if (summary.kept.length > 0) io.out(`Kept: ${summary.kept.join(', ')}`);
      io.out(
        summary.ok
          ? `Torn down ${summary.removed.length} group(s).`
          : `Teardown incomplete: ${summary.failed.map((f) => f.group).join(', ')} failed.`,
      );
      return summary.ok ? ExitCode.Ok : ExitCode.Failed;
    }
    default:
      throw new Error(`unreachable task ${args.task}`); // invariant: parseArgs accepts only the tasks above
  }
}

function signals(io: CliIo): { signal: AbortSignal; stopSignal?: AbortSignal } {
  return io.stopSignal ? { signal: io.signal, stopSignal: io.stopSignal } : { signal: io.signal };
}

async function unlock(stateFile: string, id: string, io: CliIo): Promise<number> {
  const owner = await unlockState(stateFile, id);
  io.out(owner ? `Removed lock ${id} of pid ${owner.pid} (${owner.host}, since ${owner.since}).` : `${stateFile} is not locked.`);
  return ExitCode.Ok;
}

async function status(stateFile: string, json: boolean, io: CliIo): Promise<number> {
  const report = statusReport(stateFile, await readStateFile(stateFile), defaultRegistry());
  io.out(json ? JSON.stringify(report, null, 2) : formatStatus(report));
  return ExitCode.Ok;
}

async function graph(config: ResolvedConfig | undefined, stateFile: string, io: CliIo): Promise<number> {
  const nodes = new Map<string, readonly string[]>((config?.groups ?? []).map((g) => [g.name, g.dependsOn ?? []]));
  for (const g of Object.values((await readStateFile(stateFile))?.groups ?? {})) if (!nodes.has(g.name)) nodes.set(g.name, g.dependsOn);
  io.out(toMermaid([...nodes].map(([name, dependsOn]) => ({ name, dependsOn }))));
  return ExitCode.Ok;
}

async function dryRun(stateFile: string, config: ResolvedConfig, groups: string[], io: CliIo): Promise<number> {
  const known = config.groups.map((g) => g.name);
  for (const g of groups)
    if (!known.includes(g)) throw new ConfigError(`Unknown group ${JSON.stringify(g)}; groups: ${known.join(', ') || '(none)'}.`);
  const lines = await dryRunPlan({
    stateFile,
    groups: selectGroups(config, groups.length > 0 ? groups : known),
    registry: defaultRegistry(),
    drivers: defaultDriverRegistry(),
  });
  for (const line of lines) io.out(line);
  return ExitCode.Ok;
}

async function reap(stateFile: string, config: ResolvedConfig | undefined, dryRun: boolean, io: CliIo): Promise<number> {
  const result = await reapMachines({
    stateFile,
    registry: defaultRegistry(),
    driverRegistry: defaultDriverRegistry(),
    dryRun,
    signal: io.signal,
    ...(config ? { drivers: config.drivers } : {}),
  });
  const machines = result.found.flatMap((f) => f.machines.map((m) => `  ${m}  (${f.driverUrl})`));
  if (machines.length === 0) io.out(`No orphaned machines of state ${result.stateId}.`);
  else
    io.out(
      [`${dryRun ? 'Would remove' : 'Removed'} ${machines.length} orphaned machine(s) of state ${result.stateId}:`, ...machines].join('\n'),
    );
  return ExitCode.Ok;
}

function reportError(error: unknown, io: CliIo): number {
  if (error instanceof GroundworkError && (error.code === ErrorCode.Locked || error.code === ErrorCode.UnlockRefused)) {
    io.err(`error: ${error.message}`);
    return ExitCode.Locked;
  }
  if (error instanceof GroundworkError) {
    io.err(`error: ${error.message}`);
    const usage: string[] = [ErrorCode.Config, ErrorCode.Graph, ErrorCode.UnknownGroup, ErrorCode.NotSerializable, ErrorCode.HasDependents];
    return usage.includes(error.code) ? ExitCode.Usage : ExitCode.Failed;
  }
  io.err(`error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return ExitCode.Failed;
}

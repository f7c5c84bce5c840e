import { registerBuiltins } from '../../builtins.js';
import { selectGroups } from '../../config/select.js';
import { defaultDriverRegistry } from '../../drivers/registry.js';
import { ConfigError } from '../../errors.js';
import { dryRunPlan } from '../../scheduler/dry-run.js';
import { defaultRegistry } from '../../serialize/default-registry.js';
import { readPostgresState } from '../../state/postgres/read.js';
import { ExitCode } from '../exit-codes.js';
import { signals } from '../io.js';
import type { TaskContext } from '../task-context.js';
import { stackChain } from '../progress/stack.js';
import { withScheduler } from '../with-scheduler.js';
import { describeTarget, stateTarget } from '../state-target.js';
import { dryRunDrift, dryRunDriftOf, replaceOrWarnDrift } from './provision-drift.js';
import { repairUnhealthy } from './provision-health.js';
import { provisionOnWorkers } from './provision-workers.js';

export async function provision(ctx: TaskContext): Promise<number> {
  const { args, io, config: loadConfig, stateFile } = ctx;
  registerBuiltins(); // the process-wide registries, which the config adds its own classes to
  const config = (await loadConfig())!; // provision refuses to start without one
  const state = stateFile(config);
  const target = stateTarget(ctx, config); // State in PostgreSQL (issue 12): the file, or a database
  // A dry run reads the state (file or database, issue 12) without its lock and changes nothing, in either mode.
  if (args.dryRun) {
    const known = config.groups.map((g) => g.name);
    for (const g of args.groups)
      if (!known.includes(g)) throw new ConfigError(`Unknown group ${JSON.stringify(g)}; groups: ${known.join(', ') || '(none)'}.`);
    const targets = args.groups.length > 0 ? args.groups : known;
    const fromDb =
      target.kind === 'database' ? { data: await readPostgresState(target.url, target.state), source: describeTarget(target) } : undefined;
    const lines = await dryRunPlan({
      stateFile: state,
      groups: selectGroups(config, targets),
      registry: defaultRegistry(),
      drivers: defaultDriverRegistry(),
      ...(fromDb ? { state: fromDb } : {}),
    });
    for (const line of lines) io.out(line);
    const drift = fromDb ? dryRunDriftOf(fromDb.data, config, targets, args) : await dryRunDrift(state, config, targets, args);
    for (const line of drift) io.out(line);
    return ExitCode.Ok;
  }
  // With a database (issue 12), always through the workers: this process is one more, unless --no-work.
  if (target.kind === 'database') return provisionOnWorkers(ctx, config, target);
  return withScheduler(target.file, config, args.verbose, io, async (scheduler, progress) => {
    const known = new Set([...config.groups.map((g) => g.name), ...scheduler.groups()]);
    for (const g of args.groups) {
      if (!known.has(g)) throw new ConfigError(`Unknown group ${JSON.stringify(g)}; groups: ${[...known].join(', ') || '(none)'}.`);
    }
    const targets = args.groups.length > 0 ? args.groups : config.groups.map((g) => g.name);
    const replaceFailed = await replaceOrWarnDrift(scheduler, config, targets, args, io);
    if (replaceFailed !== undefined) return replaceFailed;
    if (!args.noCheck) {
      const repairFailed = await repairUnhealthy(scheduler, config, targets, args, io);
      if (repairFailed !== undefined) return repairFailed;
    }
    await scheduler.scheduleAll(selectGroups(config, targets));
    const summary = await scheduler.run({ groups: targets, ...signals(io) });
    io.out('');
    for (const g of summary.groups) {
      io.out(`  ${g.group.padEnd(20)} ${g.state}${g.error ? `  ${g.error}` : ''}`);
      const error = args.verbose && g.error ? progress.errors.get(g.group) : undefined;
      if (error) for (const line of stackChain(error)) io.out(line); // -v: where it failed, through the cause chain
    }
    io.out(`${summary.ok ? 'Provisioned' : 'Not all groups provisioned'} in ${(summary.durationMs / 1000).toFixed(1)} s.`);
    if (summary.aborted) return ExitCode.Interrupted;
    return summary.ok ? ExitCode.Ok : ExitCode.Failed;
  });
}

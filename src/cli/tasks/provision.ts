import { registerBuiltins } from '../../builtins.js';
import { selectGroups } from '../../config/select.js';
import { defaultDriverRegistry } from '../../drivers/registry.js';
import { ConfigError } from '../../errors.js';
import { dryRunPlan } from '../../scheduler/dry-run.js';
import { defaultRegistry } from '../../serialize/default-registry.js';
import { ExitCode } from '../exit-codes.js';
import { signals } from '../io.js';
import { failureStacks } from '../status-text.js';
import type { TaskContext } from '../task-context.js';
import { withScheduler } from '../with-scheduler.js';

export async function provision({ args, io, config: loadConfig, stateFile }: TaskContext): Promise<number> {
  registerBuiltins(); // the process-wide registries, which the config adds its own classes to
  const config = (await loadConfig())!; // provision refuses to start without one
  const state = stateFile(config);
  if (args.dryRun) {
    const known = config.groups.map((g) => g.name);
    for (const g of args.groups)
      if (!known.includes(g)) throw new ConfigError(`Unknown group ${JSON.stringify(g)}; groups: ${known.join(', ') || '(none)'}.`);
    const lines = await dryRunPlan({
      stateFile: state,
      groups: selectGroups(config, args.groups.length > 0 ? args.groups : known),
      registry: defaultRegistry(),
      drivers: defaultDriverRegistry(),
    });
    for (const line of lines) io.out(line);
    return ExitCode.Ok;
  }
  return withScheduler(state, config, args.verbose, io, async (scheduler) => {
    const known = new Set([...config.groups.map((g) => g.name), ...scheduler.groups()]);
    for (const g of args.groups) {
      if (!known.has(g)) throw new ConfigError(`Unknown group ${JSON.stringify(g)}; groups: ${[...known].join(', ') || '(none)'}.`);
    }
    const targets = args.groups.length > 0 ? args.groups : config.groups.map((g) => g.name);
    await scheduler.scheduleAll(selectGroups(config, targets));
    const summary = await scheduler.run({ groups: targets, ...signals(io) });
    io.out('');
    for (const g of summary.groups) io.out(`  ${g.group.padEnd(20)} ${g.state}${g.error ? `  ${g.error}` : ''}`);
    if (args.verbose)
      for (const line of failureStacks(
        scheduler.status(),
        summary.groups.filter((g) => g.error).map((g) => g.group),
      ))
        io.out(line);
    io.out(`${summary.ok ? 'Provisioned' : 'Not all groups provisioned'} in ${(summary.durationMs / 1000).toFixed(1)} s.`);
    if (summary.aborted) return ExitCode.Interrupted;
    return summary.ok ? ExitCode.Ok : ExitCode.Failed;
  });
}

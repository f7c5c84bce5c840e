import { registerBuiltins } from '../../builtins.js';
import { defaultDriverRegistry } from '../../drivers/registry.js';
import { reapMachines } from '../../scheduler/reap.js';
import { defaultRegistry } from '../../serialize/default-registry.js';
import { ConfigError } from '../../errors.js';
import { ExitCode } from '../exit-codes.js';
import { describeTarget, stateTarget } from '../state-target.js';
import type { TaskContext } from '../task-context.js';

export async function reap(ctx: TaskContext): Promise<number> {
  const { args, io, config: loadConfig, stateFile } = ctx;
  registerBuiltins(); // the process-wide registries, which the config adds its own classes to
  const config = await loadConfig();
  // pg-parity: reap works from a state file (and its lock); quietly reaping the file's machines instead of the database's would mislead.
  const target = stateTarget(ctx, config);
  if (target.kind === 'database')
    throw new ConfigError(`reap works on a state file, not on ${describeTarget(target)}; pass --state FILE to reap that file's machines.`);
  const result = await reapMachines({
    stateFile: stateFile(config),
    registry: defaultRegistry(),
    driverRegistry: defaultDriverRegistry(),
    dryRun: args.dryRun,
    signal: io.signal,
    ...(config ? { drivers: config.drivers } : {}),
  });
  const machines = result.found.flatMap((f) => f.machines.map((m) => `  ${m}  (${f.driverUrl})`));
  if (machines.length === 0) io.out(`No orphaned machines of state ${result.stateId}.`);
  else {
    const verb = args.dryRun ? 'Would remove' : 'Removed';
    io.out([`${verb} ${machines.length} orphaned machine(s) of state ${result.stateId}:`, ...machines].join('\n'));
  }
  return ExitCode.Ok;
}

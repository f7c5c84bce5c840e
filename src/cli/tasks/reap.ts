import { registerBuiltins } from '../../builtins.js';
import { defaultDriverRegistry } from '../../drivers/registry.js';
import { reapMachines } from '../../scheduler/reap.js';
import { defaultRegistry } from '../../serialize/default-registry.js';
import { ExitCode } from '../exit-codes.js';
import type { TaskContext } from '../task-context.js';

export async function reap({ args, io, config: loadConfig, stateFile }: TaskContext): Promise<number> {
  registerBuiltins(); // the process-wide registries, which the config adds its own classes to
  const config = await loadConfig();
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

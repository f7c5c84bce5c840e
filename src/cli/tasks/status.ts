import { registerBuiltins } from '../../builtins.js';
import { statusReport } from '../../scheduler/status.js';
import { defaultRegistry } from '../../serialize/default-registry.js';
import { readStateFile } from '../../state/file-store.js';
import { ExitCode } from '../exit-codes.js';
import { formatStatus } from '../status-text.js';
import type { TaskContext } from '../task-context.js';

export async function status({ args, io, config, stateFile }: TaskContext): Promise<number> {
  registerBuiltins(); // the process-wide registries, which the config adds its own classes to
  // With --state and no --config the config is not loaded: status reads the state file alone.
  const file = args.state && !args.config ? stateFile(undefined) : stateFile(await config());
  const report = statusReport(file, await readStateFile(file), defaultRegistry());
  io.out(args.json ? JSON.stringify(report, null, 2) : formatStatus(report));
  return ExitCode.Ok;
}

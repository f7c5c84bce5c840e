import { ConfigError } from '../../errors.js';
import { unlockState } from '../../state/lock.js';
import { ExitCode } from '../exit-codes.js';
import { describeTarget, stateTarget } from '../state-target.js';
import type { TaskContext } from '../task-context.js';

export async function unlock(ctx: TaskContext): Promise<number> {
  const { args, io, config, stateFile } = ctx;
  const loaded = await config();
  // pg-parity: with a database the tasks run through the workers, whose locks PostgreSQL ends with their connections.
  const target = stateTarget(ctx, loaded);
  if (target.kind === 'database')
    throw new ConfigError(
      `${describeTarget(target)} has no lock to remove: the workers' locks end with their connections. Pass --state FILE to unlock a state file.`,
    );
  const file = stateFile(loaded);
  const id = args.groups[0]!; // parseCli insists on exactly one
  const owner = await unlockState(file, id);
  io.out(owner ? `Removed lock ${id} of pid ${owner.pid} (${owner.host}, since ${owner.since}).` : `${file} is not locked.`);
  return ExitCode.Ok;
}

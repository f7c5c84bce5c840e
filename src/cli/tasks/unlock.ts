import { unlockState } from '../../state/lock.js';
import { ExitCode } from '../exit-codes.js';
import type { TaskContext } from '../task-context.js';

export async function unlock({ args, io, config, stateFile }: TaskContext): Promise<number> {
  const file = stateFile(await config());
  const id = args.groups[0]!; // parseCli insists on exactly one
  const owner = await unlockState(file, id);
  io.out(owner ? `Removed lock ${id} of pid ${owner.pid} (${owner.host}, since ${owner.since}).` : `${file} is not locked.`);
  return ExitCode.Ok;
}

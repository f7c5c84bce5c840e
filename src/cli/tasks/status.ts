import { statusReport } from '../../scheduler/status.js';
import { defaultRegistry } from '../../serialize/default-registry.js';
import { ExitCode } from '../exit-codes.js';
import { readStateForDisplay } from '../read-state.js';
import { formatStatus } from '../status-text.js';
import type { TaskContext } from '../task-context.js';
import { addStepWorkers } from './workers.js';

export async function status(ctx: TaskContext): Promise<number> {
  const { file, data } = await readStateForDisplay(ctx);
  const report = statusReport(file, data, defaultRegistry());
  await addStepWorkers(ctx, report); // pg-workers: which worker ran each step
  ctx.io.out(ctx.args.json ? JSON.stringify(report, null, 2) : formatStatus(report, { verbose: ctx.args.verbose }));
  return ExitCode.Ok;
}

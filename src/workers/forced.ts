// teardown/deprovision --force in worker mode (pg-parity, issue 12): the flag travels in the
// group's record (set by submitTeardown), so whichever worker runs a shutdown knows it; a failed
// shutdown of a forced group keeps its StopFailed step record, and the teardown goes on as in
// the single process's deprovisionGroup: the next step down, then the group leaves the state.
import { enqueueStep, nextDown, removeGroup, type FlowTx } from './flow.js';
import { wireError } from './notify.js';
import { JobKind } from './queue.js';
import { writeRows, type GroupFields, type LockedGroup, type StepWrite } from './rows.js';

type Forced = GroupFields & { force?: true };

/** The group's fields marked for (or cleared of) a forced teardown. */
export function withForce(fields: GroupFields, force: boolean): GroupFields {
  const { force: _old, ...rest } = fields as Forced;
  return force ? ({ ...rest, force: true } as Forced) : rest;
}

export function isForced(fields: GroupFields): boolean {
  return (fields as Forced).force === true;
}

/**
 * A forced group's shutdown failed (the caller's transaction holds the group's
 * and its steps' locks, `locked`, and has checked the attempt is current):
 * write the step as it ended (StopFailed) with `shutdown:fail` marked `forced`,
 * then queue the next step down, or remove the group.
 */
export async function goOnPastFailedShutdown(
  tx: FlowTx,
  locked: LockedGroup,
  result: StepWrite,
  where: { group: string; step: number; provisioner: string },
  error: Error,
): Promise<undefined> {
  const failed = { ...where, error: wireError(error), worker: result.worker, forced: true };
  await writeRows(tx.db, tx.state, { steps: [result], events: [['shutdown:fail', failed]] });
  const next = nextDown(locked.steps, where.step);
  if (next) await enqueueStep(tx, where.group, next, JobKind.Down);
  else await removeGroup(tx, where.group, locked.fields.dependsOn);
  return undefined;
}

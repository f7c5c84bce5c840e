// teardown/deprovision --force in worker mode (pg-parity, issue 12): the flag travels in the
// group's record (set by submitTeardown), so whichever worker runs a shutdown knows it; a failed
// shutdown of a forced group keeps its StopFailed step record, and the teardown goes on as in
// the single process's deprovisionGroup: the next step down, then the group leaves the state.
import type { StepRecord } from '../state/types.js';
import type { GroupFields } from './rows.js';
import { enqueueStep, nextDown, removeGroup, type FlowTx } from './flow.js';
import { notifyEvent, wireError } from './notify.js';
import { JobKind } from './queue.js';
import { lockSteps } from './rows.js';

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
 * A forced group's shutdown failed (the caller's transaction holds the step's
 * lock and has checked the attempt is current): record the step as it ended
 * (StopFailed), tell it as `shutdown:fail` with `forced`, then queue the next
 * step down, or remove the group.
 */
export async function goOnPastFailedShutdown(
  tx: FlowTx,
  where: { group: string; step: number; provisioner: string },
  record: StepRecord,
  error: Error,
  worker: string,
  fields: GroupFields,
): Promise<undefined> {
  await tx.db.query(`update groundwork.steps set record = $4 where state = $1 and group_name = $2 and idx = $3`, [
    tx.state,
    where.group,
    where.step,
    record,
  ]);
  await notifyEvent(tx.db, tx.state, 'shutdown:fail', { ...where, error: wireError(error), worker, forced: true });
  const next = nextDown(await lockSteps(tx.db, tx.state, where.group), where.step);
  if (next) await enqueueStep(tx, where.group, next, JobKind.Down);
  else await removeGroup(tx, where.group, fields.dependsOn);
  return undefined;
}

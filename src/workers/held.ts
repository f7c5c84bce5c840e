// A teardown through the workers whose shutdown failed without --force (pg-parity, issue 12):
// the groups it depends on wait for it and will not go on, so the teardown is settled there, as
// the file mode's teardownRun keeps them ("Kept: …"). Their deprovisioning mark is taken off
// again when no shutdown of theirs began, so a later provision finds them provisioned.
import { GroupState, StepState } from '../state/types.js';
import { inTransaction, type Queryable } from './db.js';
import { withForce } from './forced.js';
import { lockGroup, lockSteps, writeGroup } from './rows.js';
import type pg from 'pg';

/** The targets marked for deprovisioning that wait on a failed dependent (directly or through another such group). */
export async function heldTargets(db: Queryable, state: string, targets: readonly string[]): Promise<Set<string>> {
  const r = await db.query(`select name, record->>'state' as st, record->'dependsOn' as deps from groundwork.groups where state = $1`, [
    state,
  ]);
  const groups = new Map(r.rows.map((row) => [row.name as string, { state: row.st as string, dependsOn: (row.deps ?? []) as string[] }]));
  const held = new Set<string>();
  const queue = [...groups].filter(([, g]) => g.state === GroupState.Failed).map(([name]) => name);
  while (queue.length > 0) {
    for (const dep of groups.get(queue.shift()!)?.dependsOn ?? []) {
      if (held.has(dep) || groups.get(dep)?.state !== GroupState.Deprovisioning) continue;
      held.add(dep);
      queue.push(dep);
    }
  }
  return new Set(targets.filter((t) => held.has(t)));
}

const SHUTDOWN_BEGAN: readonly string[] = [StepState.Stopping, StepState.Stopped, StepState.StopFailed];

/** Take the deprovisioning mark off held groups that were provisioned and none of whose shutdowns began: provisioned again, as before the teardown. */
export async function releaseHeld(pool: pg.Pool, state: string, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await inTransaction(pool, async (c) => {
    for (const name of names) {
      const fields = await lockGroup(c, state, name);
      if (fields?.state !== GroupState.Deprovisioning) continue;
      const steps = await lockSteps(c, state, name);
      if (steps.some((s) => s.record.state !== StepState.Done) || steps.some((s) => SHUTDOWN_BEGAN.includes(s.record.state))) continue;
      await writeGroup(c, state, withForce({ ...fields, state: GroupState.Provisioned }, false));
    }
  });
}

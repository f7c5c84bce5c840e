// Replacing groups through the workers (pg-parity, issue 12): what the submitter reads and
// checks before it tears a replaced group down, so a config that cannot be scheduled again
// is refused while nothing has changed yet (as the single process's replaceRun does).
import { dependentClosure } from '../scheduler/graph.js';
import type { GroupSpec } from '../scheduler/options.js';
import { planGroups } from '../scheduler/plan.js';
import { STATE_VERSION, type GroupRecord, type StateData } from '../state/types.js';
import { groupRecord, readState } from './rows.js';
import { snapshotRuntime, type SubmitContext } from './submitter.js';

/** The state's groups as they are now (no lock: the submit transactions lock what they change). */
export async function readStateData(ctx: Pick<SubmitContext, 'pool' | 'state'>, stateId: string): Promise<StateData> {
  const rows = await readState(ctx.pool, ctx.state);
  const groups: Record<string, GroupRecord> = {};
  for (const [name, g] of rows?.groups ?? []) groups[name] = groupRecord(g);
  return { version: STATE_VERSION, id: rows?.id ?? stateId, createdAt: new Date().toISOString(), groups };
}

export interface Replacement {
  /** The groups asked for and every group depending on them: torn down, dependents first. */
  closure: string[];
  /** The specs of the closure's groups the config still has: scheduled again. */
  specs: GroupSpec[];
}

/**
 * Which groups replacing `groups` tears down and schedules again; the new
 * records are planned here (and thrown away) so that a cycle or an unknown
 * dependency is refused before anything is torn down.
 */
export function planReplacement(ctx: SubmitContext, data: StateData, groups: readonly string[], specs: readonly GroupSpec[]): Replacement {
  const closure = dependentClosure(groups, Object.values(data.groups));
  const again = specs.filter((s) => closure.has(s.name));
  planGroups(snapshotRuntime(ctx, data.id, data.groups), again, closure);
  return { closure: [...closure], specs: again };
}

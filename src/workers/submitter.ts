import type pg from 'pg';
import { systemClock } from '../clock.js';
import type { DriverRegistry } from '../drivers/registry.js';
import { HasDependentsError, NotSerializableError } from '../errors.js';
import type { SchedulerEvents } from '../events.js';
import type { Logger } from '../logger.js';
import { dependencyClosure, dependentClosure, topologicalOrder } from '../scheduler/graph.js';
import type { GroupSpec } from '../scheduler/options.js';
import { planGroups } from '../scheduler/plan.js';
import type { Runtime } from '../scheduler/runtime.js';
import type { ProvisionerRegistry } from '../serialize/registry.js';
import { Ledger } from '../state/ledger.js';
import { MemoryStore } from '../state/memory-store.js';
import { needsShutdown } from '../state/transitions.js';
import { GroupState, STATE_VERSION, type GroupRecord } from '../state/types.js';
import { inTransaction } from './db.js';
import { startGroupDown } from './flow.js';
import { withForce } from './forced.js';
import { startGroupsUp } from './start-groups.js';
import type { StepQueue } from './queue.js';
import { groupRecord, insertGroups, lockGroupsInOrder, readState, writeRows, type GroupFields } from './rows.js';

export interface SubmitContext {
  pool: pg.Pool;
  queue: StepQueue;
  state: string;
  registry: ProvisionerRegistry;
  drivers: DriverRegistry;
  logger: Logger;
  events: SchedulerEvents;
}

/** A scheduler Runtime over the database's groups as they are now, so the scheduler's own checks (planGroups) apply unchanged; also replace and health checks (pg-parity). */
export function snapshotRuntime(ctx: SubmitContext, id: string, groups: Record<string, GroupRecord>): Runtime {
  const store = new MemoryStore();
  const ledger = new Ledger(store, { version: STATE_VERSION, id, createdAt: new Date().toISOString(), groups });
  return { ledger, registry: ctx.registry, drivers: ctx.drivers, events: ctx.events, logger: ctx.logger, clock: systemClock };
}

async function lockState(c: pg.PoolClient, state: string): Promise<Record<string, GroupRecord>> {
  // One submitter at a time per state, so two `provision`s of the same config schedule each group once.
  await c.query(`select pg_advisory_xact_lock(hashtext('groundwork-submit/' || $1))`, [state]);
  const rows = await readState(c, state);
  const groups: Record<string, GroupRecord> = {};
  for (const [name, g] of rows?.groups ?? []) groups[name] = groupRecord(g);
  return groups;
}

/**
 * One submit transaction, run again (from scratch: the failed one rolled back) when
 * PostgreSQL ends it as a deadlock victim (40P01). The submitter locks its groups in the
 * order the workers' commits do (lockGroupsInOrder), so that is left for a teardown
 * submitted while up-steps of the same groups still commit (those lock the other way).
 */
async function submitTransaction<T>(ctx: SubmitContext, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await inTransaction(ctx.pool, fn);
    } catch (error) {
      if ((error as { code?: string }).code !== '40P01' || attempt >= 5) throw error;
      ctx.logger.warn(`scheduling deadlocked with another transaction (attempt ${attempt}); running it again`);
    }
  }
}

/**
 * Schedule `specs` (groups already in the database stay as they are; cycles
 * and unknown dependencies are refused as in the single process), move the
 * failed and blocked targets back to pending, and enqueue every target whose
 * dependencies are provisioned — one transaction. Returns the target closure.
 */
export async function submitProvision(
  ctx: SubmitContext,
  stateId: string,
  specs: readonly GroupSpec[],
  targets: readonly string[],
): Promise<string[]> {
  return submitTransaction(ctx, async (c) => {
    const groups = await lockState(c, ctx.state);
    const records = planGroups(snapshotRuntime(ctx, stateId, groups), specs);
    await insertGroups(c, ctx.state, records);
    for (const r of records) groups[r.name] = r;
    const dependsOn = (n: string) => groups[n]?.dependsOn ?? [];
    const closure = topologicalOrder(dependencyClosure(targets, dependsOn), dependsOn);
    const locked = await lockGroupsInOrder(c, ctx.state, closure);
    const retried: GroupFields[] = [];
    for (const [name, fields] of locked) {
      if (fields.state === GroupState.Failed || fields.state === GroupState.Blocked) {
        const { error: _e, blockedBy: _b, ...rest } = fields;
        locked.set(name, { ...rest, state: GroupState.Pending });
        retried.push(locked.get(name)!);
      }
    }
    await writeRows(c, ctx.state, { groups: retried });
    await startGroupsUp({ db: c, queue: ctx.queue, state: ctx.state }, locked);
    return closure;
  });
}

/**
 * Mark `names` (with `cascade`, and their dependents) for deprovisioning and
 * start the shutdowns of those nothing depends on; the workers go on,
 * dependents first. Refused, changing nothing, when groups outside the set
 * depend on them or a step's class is not registered here.
 */
export async function submitTeardown(
  ctx: SubmitContext,
  names: readonly string[] | 'all',
  options: { cascade?: boolean; except?: readonly string[]; force?: boolean } = {},
): Promise<string[]> {
  return submitTransaction(ctx, async (c) => {
    const groups = await lockState(c, ctx.state);
    const nodes = Object.values(groups).map((g) => ({ name: g.name, dependsOn: g.dependsOn }));
    let targets: Set<string>;
    if (names === 'all') {
      const keep = dependencyClosure(options.except ?? [], (n) => groups[n]?.dependsOn ?? []);
      targets = new Set(Object.keys(groups).filter((n) => !keep.has(n)));
    } else targets = options.cascade ? dependentClosure(names, nodes) : new Set(names);
    for (const name of targets) {
      const outside = nodes.filter((n) => n.dependsOn.includes(name) && !targets.has(n.name)).map((n) => n.name);
      if (outside.length > 0) throw new HasDependentsError(name, outside);
      const steps = options.force ? [] : (groups[name]?.steps ?? []); // forced: an unregistered class fails its shutdown, and it goes on
      const step = steps.findIndex((s) => needsShutdown(s.state) && !ctx.registry.classOf(s.provisioner.class));
      if (step !== -1) {
        const id = steps[step]!.provisioner.class;
        throw new NotSerializableError(
          `Group "${name}" cannot be shut down: its step ${step + 1} is class "${id}", which is not registered in this process. Register it: the config that defined it must load.`,
          { group: name, step, provisioner: id },
        );
      }
    }
    const tx = { db: c, queue: ctx.queue, state: ctx.state };
    // Dependents first, as the workers' shutdown commits lock them.
    const order = topologicalOrder(targets, (n) => groups[n]?.dependsOn ?? []).reverse();
    const marked = [...(await lockGroupsInOrder(c, ctx.state, order)).values()].map((fields) =>
      // The force flag rides in the record, for whichever worker runs the shutdown (forced.ts); a stale one is cleared.
      withForce({ ...fields, state: GroupState.Deprovisioning }, options.force ?? false),
    );
    await writeRows(c, ctx.state, { groups: marked });
    for (const name of order) await startGroupDown(tx, name);
    return [...targets];
  });
}

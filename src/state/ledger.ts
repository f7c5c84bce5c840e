import { assertGroupMove, assertStepMove } from './transitions.js';
import type { StateStore } from './store.js';
import type { GroupRecord, GroupState, StateData, StepRecord } from './types.js';

/** Fields to change; a field given as `undefined` is cleared. */
export type Patch<T> = { [K in keyof T]?: T[K] | undefined };
export type GroupPatch = Patch<Omit<GroupRecord, 'state' | 'name' | 'steps'>>;
export type StepPatch = Patch<StepRecord>;

/** Changes to one group, applied and persisted together. */
export interface GroupChange {
  group?: { to: GroupState; patch?: GroupPatch };
  steps?: ReadonlyArray<{ index: number; patch: StepPatch }>;
}

/**
 * The in-memory state of every group. Every change goes through here: it is
 * checked against the allowed transitions and is durable in the store before
 * the returned promise resolves.
 */
export class Ledger {
  readonly #groups: Map<string, GroupRecord>;

  constructor(
    private readonly store: StateStore,
    data: StateData,
  ) {
    this.id = data.id;
    this.#groups = new Map(Object.entries(data.groups));
  }

  readonly id: string;
  /** The store's write error, once one failed: memory is then ahead of the disk and nothing more is written. */
  #broken: unknown;

  get broken(): unknown {
    return this.#broken;
  }

  #write(write: Promise<void>): Promise<void> {
    return write.catch((error: unknown) => {
      this.#broken ??= error;
      throw error;
    });
  }

  #assertWritable(): void {
    if (this.#broken) throw this.#broken;
  }

  get location(): string {
    return this.store.location;
  }

  get dataDir(): string {
    return this.store.dataDir;
  }

  names(): string[] {
    return [...this.#groups.keys()];
  }

  records(): readonly GroupRecord[] {
    return [...this.#groups.values()];
  }

  get(name: string): GroupRecord | undefined {
    return this.#groups.get(name);
  }

  has(name: string): boolean {
    return this.#groups.has(name);
  }

  /** Groups that list `name` in their dependsOn. */
  dependentsOf(name: string): string[] {
    return this.records()
      .filter((g) => g.dependsOn.includes(name))
      .map((g) => g.name);
  }

  /** Add new groups in one atomic write. */
  async add(records: readonly GroupRecord[]): Promise<void> {
    this.#assertWritable();
    await this.#write(this.store.putGroups(records));
    for (const record of records) this.#groups.set(record.name, record);
  }

  async moveGroup(name: string, to: GroupState, patch: GroupPatch = {}): Promise<void> {
    await this.update(name, { group: { to, patch } });
  }

  async updateStep(name: string, index: number, patch: StepPatch): Promise<void> {
    await this.update(name, { steps: [{ index, patch }] });
  }

  /**
   * Several changes to one group as one atomic, durable transition (one
   * journal record): e.g. "step 1 done, step 2 running". Every move is checked.
   */
  async update(name: string, change: GroupChange): Promise<void> {
    this.#assertWritable();
    const record = this.#require(name);
    let steps = record.steps;
    for (const { index, patch } of change.steps ?? []) {
      const step = steps[index];
      // Invariant: the scheduler only patches steps it read from this record; never reaches a user.
      if (!step) throw new RangeError(`Group "${name}" has no step ${index + 1}.`);
      if (patch.state !== undefined) assertStepMove(name, index, step.state, patch.state);
      if (steps === record.steps) steps = steps.slice();
      steps[index] = patched(step, patch);
    }
    let next = steps === record.steps ? { ...record } : { ...record, steps };
    if (change.group) {
      assertGroupMove(name, record.state, change.group.to);
      next = patched(next, { ...change.group.patch, state: change.group.to });
    }
    this.#groups.set(name, next);
    const changed = (change.steps ?? []).map((s) => s.index);
    const write = this.store.updateGroup ? this.store.updateGroup(next, changed, change.group !== undefined) : this.store.putGroups([next]);
    await this.#write(write);
  }

  async remove(name: string): Promise<void> {
    this.#assertWritable();
    this.#groups.delete(name);
    await this.#write(this.store.deleteGroup(name));
  }

  #require(name: string): GroupRecord {
    const record = this.#groups.get(name);
    // Invariant: the Scheduler checks names first (UnknownGroupError); never reaches a user.
    if (!record) throw new RangeError(`Group "${name}" is not in the state.`);
    return record;
  }
}

// Memory is updated at once, so overlapping updates of one group build on
// each other; callers act on a change only after the write resolves.
// `{ error: undefined }` in a patch means "clear it".
function patched<T extends object>(value: T, patch: Patch<T>): T {
  const out = { ...value, ...patch } as T;
  for (const key in patch) if (patch[key] === undefined) delete out[key];
  return out;
}

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { emptyData } from './snapshot.js';
import type { StateStore } from './store.js';
import type { GroupRecord, StateData } from './types.js';

/** A store that keeps the state in memory only: for benchmarks and throwaway runs. Nothing survives the process. */
export class MemoryStore implements StateStore {
  readonly location = ':memory:';
  readonly #data: StateData;
  readonly dataDir: string;

  constructor(options: { clock?: Clock } = {}) {
    this.#data = emptyData((options.clock ?? systemClock).now());
    this.dataDir = join(tmpdir(), `groundwork-${this.#data.id}`);
  }

  async open(): Promise<StateData> {
    return structuredClone(this.#data);
  }

  async putGroups(records: readonly GroupRecord[]): Promise<void> {
    for (const record of records) this.#data.groups[record.name] = record;
  }

  async deleteGroup(name: string): Promise<void> {
    delete this.#data.groups[name];
  }

  async close(): Promise<void> {}
}

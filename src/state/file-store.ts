import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Low } from 'lowdb';
import { DurableJsonFile } from './durable-json-file.js';
import { StateLock } from './lock.js';
import type { StateStore } from './store.js';
import { STATE_VERSION, type GroupRecord, type StateData } from './types.js';
import { validateState } from './validate.js';

export const DEFAULT_STATE_FILE = '.groundwork/state.json';

function emptyState(): StateData {
  return { version: STATE_VERSION, id: randomUUID(), createdAt: new Date().toISOString(), groups: {} };
}

/** The state as one JSON file, written through lowdb with a durable, locked adapter. */
export class JsonFileStore implements StateStore {
  readonly location: string;
  readonly dataDir: string;
  readonly #lock: StateLock;
  readonly #db: Low<StateData>;
  #open = false;

  constructor(file: string = DEFAULT_STATE_FILE) {
    this.location = resolve(file);
    this.dataDir = join(dirname(this.location), 'data');
    this.#lock = new StateLock(this.location);
    this.#db = new Low(new DurableJsonFile<StateData>(this.location), emptyState());
  }

  async open(): Promise<StateData> {
    await mkdir(dirname(this.location), { recursive: true });
    await this.#lock.acquire();
    try {
      // Not Low.read(): it would take a file holding `null` for a missing one.
      const data = await readStateFile(this.location);
      if (data) this.#db.data = data;
    } catch (error) {
      await this.#lock.release();
      throw error;
    }
    this.#open = true;
    return structuredClone(this.#db.data);
  }

  async putGroups(records: readonly GroupRecord[]): Promise<void> {
    this.#assertOpen();
    for (const record of records) this.#db.data.groups[record.name] = record;
    await this.#db.write();
  }

  async deleteGroup(name: string): Promise<void> {
    this.#assertOpen();
    delete this.#db.data.groups[name];
    await this.#db.write();
  }

  async close(): Promise<void> {
    this.#open = false;
    await this.#lock.release();
  }

  #assertOpen(): void {
    if (!this.#open) throw new Error(`State store ${this.location} is not open; call open() first.`);
  }
}

/** Read a state file without taking its lock (for status while another process runs). */
export async function readStateFile(file: string = DEFAULT_STATE_FILE): Promise<StateData | undefined> {
  const location = resolve(file);
  const { found, value } = await new DurableJsonFile<unknown>(location).readRaw();
  return found ? validateState(location, value) : undefined;
}

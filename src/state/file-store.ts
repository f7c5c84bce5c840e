import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { ConfigError, StoreClosedError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { GroupDelta } from './journal/entries.js';
import { createJournal } from './journal/journal-file.js';
import { Wal } from './journal/wal.js';
import { journalPath, loadState, loadStateUnlocked } from './load.js';
import { StateLock } from './lock.js';
import { emptyData, SnapshotFile } from './snapshot.js';
import type { StateStore } from './store.js';
import type { GroupRecord, StateData } from './types.js';

export const DEFAULT_STATE_FILE = '.groundwork/state.json';

export interface JsonFileStoreOptions {
  /** Told about recoveries, such as a torn journal tail that was dropped. */
  logger?: Logger;
  /** Fold the journal into the snapshot once it is this large (default: COMPACTION_RULE in journal/wal.ts). */
  compactAfterBytes?: number;
  /** Source of the state's `createdAt` (default: the system clock). */
  clock?: Clock;
}

/**
 * The state as a lowdb JSON snapshot plus a write-ahead journal next to it
 * (`<file>.journal`). Every change is one appended, fsync'd record; the
 * journal is folded into the snapshot when it grows, and at close.
 */
export class JsonFileStore implements StateStore {
  readonly location: string;
  readonly dataDir: string;
  readonly #lock: StateLock;
  readonly #snapshot: SnapshotFile;
  readonly #logger: Logger;
  readonly #compactAfterBytes: number | undefined;
  readonly #clock: Clock;
  #wal: Wal | undefined;
  #data: StateData | undefined;

  constructor(file: string = DEFAULT_STATE_FILE, options: JsonFileStoreOptions = {}) {
    this.location = resolve(file);
    this.dataDir = join(dirname(this.location), 'data');
    this.#lock = new StateLock(this.location);
    this.#snapshot = new SnapshotFile(this.location);
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    if (options.compactAfterBytes !== undefined && !(Number.isInteger(options.compactAfterBytes) && options.compactAfterBytes > 0)) {
      throw new ConfigError(`Expected \`compactAfterBytes\` to be a positive integer, got ${JSON.stringify(options.compactAfterBytes)}.`);
    }
    this.#compactAfterBytes = options.compactAfterBytes;
  }

  /** Bytes this store has written to the journal and snapshots since it opened. */
  get bytesWritten(): number {
    return this.#wal?.bytesWritten ?? 0;
  }

  async open(): Promise<StateData> {
    await mkdir(dirname(this.location), { recursive: true });
    await this.#lock.acquire();
    try {
      await removeLeftovers(this.location);
      const loaded = await loadState(this.location, this.#snapshot);
      const data = loaded?.data ?? emptyData(this.#clock.now());
      const seq = loaded?.seq ?? 0;
      if (loaded?.skippedTail) {
        this.#logger.warn(
          `Recovered ${this.location}: dropped ${loaded.skippedTail.bytes} byte(s) at the end of its journal (${loaded.skippedTail.reason}); ` +
            `they were a write that a crash interrupted, never acknowledged.`,
        );
      }
      // Start from a snapshot that holds everything recovered, and a fresh journal.
      if (!loaded?.snapshotFound || loaded.replayed > 0) await this.#snapshot.write({ data, seq });
      const path = journalPath(this.location);
      const handle = await createJournal(path, { journal: 1, stateId: data.id, base: seq });
      this.#data = data;
      this.#wal = new Wal({
        path,
        handle,
        bytes: (await handle.stat()).size,
        seq,
        stateId: data.id,
        snapshot: this.#snapshot,
        snapshotBytes: (await stat(this.location)).size,
        ...(this.#compactAfterBytes ? { compactAfterBytes: this.#compactAfterBytes } : {}),
        image: () => ({ ...data, groups: { ...data.groups } }),
      });
      return structuredClone(data);
    } catch (error) {
      await this.#lock.release();
      throw error;
    }
  }

  putGroups(records: readonly GroupRecord[]): Promise<void> {
    const { data, wal } = this.#open();
    for (const record of records) data.groups[record.name] = record;
    return wal.append({ put: [...records] });
  }

  updateGroup(record: GroupRecord, changedSteps: readonly number[], fieldsChanged: boolean): Promise<void> {
    const { data, wal } = this.#open();
    data.groups[record.name] = record;
    // The fingerprint is fixed once a record is put (a replace puts a new record): deltas leave it out.
    const { steps, fingerprint: _fixed, ...group } = record;
    const delta: GroupDelta = { name: record.name, steps: changedSteps.map((i) => [i, steps[i]!]) };
    if (fieldsChanged) delta.group = group;
    return wal.append({ set: [delta] });
  }

  deleteGroup(name: string): Promise<void> {
    const { data, wal } = this.#open();
    delete data.groups[name];
    return wal.append({ del: [name] });
  }

  async close(): Promise<void> {
    const wal = this.#wal;
    this.#wal = undefined;
    this.#data = undefined;
    try {
      await wal?.close();
    } finally {
      await this.#lock.release();
    }
  }

  #open(): { data: StateData; wal: Wal } {
    if (!this.#data || !this.#wal)
      throw new StoreClosedError(
        this.location,
        `State store ${this.location} is not open; call open() first (a closed store is opened again).`,
      );
    return { data: this.#data, wal: this.#wal };
  }
}

// Temp files of a writer that died before renaming them. We hold the lock,
// so no live writer owns any of them.
async function removeLeftovers(stateFile: string): Promise<void> {
  const prefixes = [`.${basename(stateFile)}.`, `.${basename(stateFile)}.journal.`];
  const names = await readdir(dirname(stateFile));
  await Promise.all(
    names
      .filter((n) => n.endsWith('.tmp') && prefixes.some((p) => n.startsWith(p)))
      .map((n) => rm(join(dirname(stateFile), n), { force: true })),
  );
}

/** Read a state (snapshot + journal) without taking its lock, e.g. for status while another process runs. */
export async function readStateFile(file: string = DEFAULT_STATE_FILE): Promise<StateData | undefined> {
  return (await loadStateUnlocked(resolve(file)))?.data;
}

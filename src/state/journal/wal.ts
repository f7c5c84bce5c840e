import { stat, unlink, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StateFileError, StoreClosedError } from '../../errors.js';
import { failpoint } from '../../failpoints.js';
import { syncFolder, writeAll } from '../fsync.js';
import type { SnapshotFile } from '../snapshot.js';
import type { StateData } from '../types.js';
import type { JournalEntry } from './entries.js';
import { encodeRecord } from './framing.js';
import { createJournal } from './journal-file.js';

/** Compact once the journal reaches MIN_COMPACT_BYTES, or SNAPSHOT_MULTIPLE × the snapshot if that is larger. */
export const MIN_COMPACT_BYTES = 16 * 1024 * 1024;
export const SNAPSHOT_MULTIPLE = 4;
/** The default threshold in words, for docs and messages (kept in step with the constants above). */
export const COMPACTION_RULE = `${MIN_COMPACT_BYTES / (1024 * 1024)} MiB, or ${SNAPSHOT_MULTIPLE}× the snapshot if that is larger`;

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

export interface WalOptions {
  path: string;
  handle: FileHandle;
  /** Current size of the journal file. */
  bytes: number;
  /** Sequence number of the last entry already in the snapshot or journal. */
  seq: number;
  stateId: string;
  snapshot: SnapshotFile;
  snapshotBytes: number;
  /** Fixed compaction threshold (tests); default: see COMPACTION_RULE. */
  compactAfterBytes?: number;
  /** The state as of the last appended entry; records are immutable, so a shallow copy is a consistent image. */
  image(): StateData;
}

/**
 * The write-ahead journal. Each append is one checksummed record; appends
 * that arrive while a write + fdatasync is under way share the next one
 * (group commit). When the journal outgrows the snapshot, the next batch goes
 * into a fresh snapshot instead and the journal starts over.
 * After any I/O error it refuses every later append: a failed fsync is never
 * assumed to have succeeded.
 */
export class Wal {
  readonly #o: WalOptions;
  #handle: FileHandle;
  #bytes: number;
  #seq: number;
  #compactAt: number;
  /** Entries appended since the snapshot was written. */
  #unsnapshotted = 0;
  #queue: Buffer[] = [];
  #waiters: Waiter[] = [];
  #flushing: Promise<void> | undefined;
  #failure: StateFileError | undefined;
  #closed = false;
  bytesWritten = 0;

  constructor(options: WalOptions) {
    this.#o = options;
    this.#handle = options.handle;
    this.#bytes = options.bytes;
    this.#seq = options.seq;
    this.#compactAt = this.#threshold(options.snapshotBytes);
  }

  #threshold(snapshotBytes: number): number {
    return this.#o.compactAfterBytes ?? Math.max(MIN_COMPACT_BYTES, SNAPSHOT_MULTIPLE * snapshotBytes);
  }

  /** Resolves once the entry is durable. Entries are applied in the order of the calls. */
  append(entry: Omit<JournalEntry, 'seq'>): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed) {
      return Promise.reject(
        new StoreClosedError(
          this.#o.path,
          `Journal ${this.#o.path} is closed; nothing more can be written. Open the state again to go on.`,
        ),
      );
    }
    this.#queue.push(encodeRecord({ seq: ++this.#seq, ...entry }));
    this.#unsnapshotted++;
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    this.#kick();
    return done;
  }

  // Start the write on the next turn of the event loop, so that every append
  // made in this turn (e.g. by all the groups an ack just woke) shares it.
  // Appends made while the last batch was being acknowledged start the next one.
  #kick(): void {
    if (this.#flushing || this.#queue.length === 0) return;
    this.#flushing = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.#flush())
      .finally(() => {
        this.#flushing = undefined;
        this.#kick();
      });
  }

  /** Wait for pending appends, fold the journal into the snapshot and remove it. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#flushing) await this.#flushing;
    if (this.#failure) return this.#handle.close().catch(() => {});
    if (this.#unsnapshotted > 0) await this.#o.snapshot.write({ data: this.#o.image(), seq: this.#seq });
    await this.#handle.close();
    await unlink(this.#o.path);
    await syncFolder(dirname(this.#o.path));
  }

  async #flush(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      const waiters = this.#waiters;
      this.#queue = [];
      this.#waiters = [];
      const size = batch.reduce((n, b) => n + b.length, 0);
      // Captured now, before any await, so the image is exactly the state up to the last queued entry.
      const image = this.#bytes + size > this.#compactAt ? { data: this.#o.image(), seq: this.#seq } : undefined;
      try {
        if (image) await this.#compact(image);
        else await this.#write(batch.length === 1 ? batch[0]! : Buffer.concat(batch, size));
      } catch (error) {
        await this.#fail(error, waiters);
        return;
      }
      for (const w of waiters) w.resolve();
    }
  }

  async #write(data: Buffer): Promise<void> {
    failpoint('before-journal-write');
    await writeAll(this.#handle, data);
    failpoint('after-journal-before-sync');
    await this.#handle.datasync();
    failpoint('after-sync-before-ack');
    this.#bytes += data.length;
    this.bytesWritten += data.length;
  }

  async #compact(image: { data: StateData; seq: number }): Promise<void> {
    failpoint('compaction-before-snapshot');
    await this.#o.snapshot.write(image);
    failpoint('compaction-after-snapshot');
    const snapshotBytes = (await stat(this.#o.snapshot.file)).size;
    this.bytesWritten += snapshotBytes;
    await this.#handle.close();
    this.#handle = await createJournal(this.#o.path, { journal: 1, stateId: this.#o.stateId, base: image.seq });
    this.#bytes = (await this.#handle.stat()).size;
    this.#compactAt = this.#threshold(snapshotBytes);
    this.#unsnapshotted = 0;
  }

  async #fail(error: unknown, waiters: Waiter[]): Promise<void> {
    const reason = error instanceof StateFileError ? error.message : (error as Error).message;
    this.#failure = new StateFileError(
      this.#o.path,
      `Cannot make the state durable (${reason}) in ${this.#o.path}. The run was stopped; steps after the last durable record are not saved ` +
        `and nothing was retried. Check the disk (free space, errors), then run again: the state reloads from its last ` +
        `durable record.`,
      error,
    );
    // Take back what may have reached the file without a successful sync, so a
    // later load does not report it as done. Best effort: the disk is failing.
    await this.#handle
      .truncate(this.#bytes)
      .then(() => this.#handle.datasync())
      .catch(() => {});
    await this.#handle.close().catch(() => {});
    for (const w of [...waiters, ...this.#waiters]) w.reject(this.#failure);
    this.#queue = [];
    this.#waiters = [];
  }
}

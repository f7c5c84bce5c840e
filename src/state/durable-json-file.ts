import { link, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';
import { StateFileError } from '../errors.js';
import { failpoint } from '../failpoints.js';
import { syncFolder, writeAll } from './fsync.js';
import { restoreHint } from './previous-snapshot.js';

/**
 * A lowdb adapter that writes durably: a unique temp file, fsync, atomic
 * rename over the target, then fsync of the folder so the rename itself
 * survives a power cut. Its one writer (the journal) never overlaps writes.
 */
export class DurableJsonFile<T> implements Adapter<T> {
  #counter = 0;

  constructor(
    readonly file: string,
    private readonly stringify: (data: T) => string = (data) => JSON.stringify(data, null, 2),
    /** Before each write replaces the file, keep the old one under this name (the state's `.prev`). */
    private readonly keepPrevious?: string,
  ) {}

  /** lowdb's read: null for a missing file. */
  async read(): Promise<T | null> {
    const { found, value } = await this.readRaw();
    return found ? (value as T) : null;
  }

  /**
   * Tells a missing file from one that holds `null`: lowdb treats both as
   * "no data", which would let a file holding `null` be overwritten.
   */
  async readRaw(): Promise<{ found: boolean; value: unknown }> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { found: false, value: undefined };
      throw new StateFileError(this.file, `Cannot read state file ${this.file}: ${(error as Error).message}`, error);
    }
    try {
      return { found: true, value: JSON.parse(text) as unknown };
    } catch (error) {
      throw new StateFileError(
        this.file,
        `State file ${this.file} is not valid JSON (${(error as Error).message}). It was left untouched; ` +
          `${restoreHint(this.file)} to start from an empty state.`,
        error,
      );
    }
  }

  async write(data: T): Promise<void> {
    const text = Buffer.from(this.stringify(data), 'utf8');
    const dir = dirname(this.file);
    const tmp = join(dir, `.${basename(this.file)}.${process.pid}.${this.#counter++}.tmp`);
    try {
      const handle = await open(tmp, 'w', 0o600);
      try {
        await writeAll(handle, text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (this.keepPrevious) await this.#keepPrevious(dir);
      failpoint('snapshot-before-rename');
      await rename(tmp, this.file);
    } catch (error) {
      await rm(tmp, { force: true });
      throw new StateFileError(this.file, `Cannot write state file ${this.file}: ${(error as Error).message}`, error);
    }
    await syncFolder(dir);
  }

  // A hard link of the current file, renamed over the previous one: the old
  // snapshot stays whole at every moment. Its folder is synced before the new
  // snapshot replaces the file, so `.prev` is never older than the one before.
  async #keepPrevious(dir: string): Promise<void> {
    const tmp = join(dir, `.${basename(this.keepPrevious!)}.${process.pid}.${this.#counter++}.tmp`);
    try {
      await link(this.file, tmp);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // the first write: nothing to keep
      throw error;
    }
    try {
      await rename(tmp, this.keepPrevious!);
    } finally {
      // rename() between two links of one file (`.prev` already is this snapshot, e.g. after a
      // write killed before its rename) succeeds and leaves the source: remove it.
      await rm(tmp, { force: true });
    }
    await syncFolder(dir);
  }
}

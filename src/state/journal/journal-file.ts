import { open, readFile, rename, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { StateFileError } from '../../errors.js';
import { syncFolder, writeAll } from '../fsync.js';
import { isEntry, isHeader, type JournalEntry, type JournalHeader } from './entries.js';
import { encodeRecord, scanRecords } from './framing.js';

export interface JournalContents {
  header: JournalHeader | undefined;
  entries: JournalEntry[];
  /** Bytes of complete records. */
  end: number;
  size: number;
  /** Why the bytes after `end` were not read (a torn or garbled tail), if there are any. */
  tail?: string;
}

/**
 * Read a journal up to its first incomplete or corrupt record. A damaged
 * record followed by valid ones is refused: dropping them would lose
 * acknowledged transitions.
 */
export async function readJournal(path: string): Promise<JournalContents | undefined> {
  let buf: Buffer;
  try {
    buf = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(path, `Cannot read journal ${path}: ${(error as Error).message}`, error);
  }
  const scan = scanRecords(buf);
  if (scan.problem && scan.validAfterProblem) {
    throw new StateFileError(
      path,
      `Journal ${path} is damaged in the middle: ${scan.problem}, and complete records follow it. Loading it would lose ` +
        `acknowledged steps, so it was left untouched; restore the state folder from a backup.`,
    );
  }
  const [first, ...rest] = scan.payloads;
  // Without its header (torn while being created) a journal holds nothing acknowledged.
  if (first === undefined)
    return { header: undefined, entries: [], end: 0, size: buf.length, ...(buf.length ? { tail: scan.problem } : {}) };
  if (!isHeader(first))
    throw new StateFileError(path, `Journal ${path} does not start with a Groundwork journal header; it was left untouched.`);
  const entries: JournalEntry[] = [];
  for (const [i, payload] of rest.entries()) {
    if (!isEntry(payload))
      throw new StateFileError(path, `Journal ${path} record ${i + 2} is not a state transition; it was left untouched.`);
    entries.push(payload);
  }
  return { header: first, entries, end: scan.end, size: buf.length, ...(scan.problem ? { tail: scan.problem } : {}) };
}

/**
 * Atomically replace the journal with a new one holding only `header`, and
 * open it for appending. The header is durable before any entry is written.
 */
export async function createJournal(path: string, header: JournalHeader): Promise<FileHandle> {
  const dir = dirname(path);
  const tmp = join(dir, `.${basename(path)}.${process.pid}.tmp`);
  const handle = await open(tmp, 'w', 0o600);
  try {
    await writeAll(handle, encodeRecord(header));
    await handle.datasync();
  } finally {
    await handle.close();
  }
  await rename(tmp, path);
  await syncFolder(dir);
  return open(path, 'a');
}

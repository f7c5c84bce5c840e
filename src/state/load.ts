import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { StateFileError } from '../errors.js';
import { applyEntry } from './journal/entries.js';
import { readJournal, type JournalContents } from './journal/journal-file.js';
import { SnapshotFile, type SnapshotImage } from './snapshot.js';
import { previousSnapshotPath } from './previous-snapshot.js';
import type { StateData } from './types.js';

export interface LoadedState {
  data: StateData;
  /** Sequence number of the last entry applied. */
  seq: number;
  snapshotFound: boolean;
  /** Journal entries replayed on top of the snapshot. */
  replayed: number;
  /** A torn or garbled tail that was skipped: bytes and why. */
  skippedTail?: { bytes: number; reason: string };
}

export const journalPath = (stateFile: string): string => `${stateFile}.journal`;

/**
 * The state = the JSON snapshot + the journal entries after it. Stops
 * cleanly at a torn tail; refuses (naming the file) anything that could
 * silently lose an acknowledged transition.
 */
export async function loadState(stateFile: string, snapshot = new SnapshotFile(stateFile)): Promise<LoadedState | undefined> {
  const image = await snapshot.read();
  const path = journalPath(stateFile);
  const journal = await readJournal(path);
  return combine(stateFile, image, journal);
}

/**
 * Load while another process may be writing (no lock held). A compaction
 * replaces the snapshot (a new inode) and the journal between our two reads;
 * then read both again.
 */
export async function loadStateUnlocked(stateFile: string): Promise<LoadedState | undefined> {
  const snapshot = new SnapshotFile(stateFile);
  for (let attempt = 1; ; attempt++) {
    const before = await inode(stateFile);
    const image = await snapshot.read();
    const journal = await readJournal(journalPath(stateFile));
    if ((await inode(stateFile)) === before || attempt === 5) return combine(stateFile, image, journal);
  }
}

async function inode(file: string): Promise<number | undefined> {
  return stat(file).then(
    (s) => s.ino,
    () => undefined,
  );
}

function combine(stateFile: string, image: SnapshotImage | undefined, journal: JournalContents | undefined): LoadedState | undefined {
  const path = journalPath(stateFile);
  if (!image) {
    if (journal?.entries.length) {
      throw new StateFileError(
        stateFile,
        `State file ${stateFile} is missing but its journal ${path} has entries; ${missingHint(stateFile)}.`,
      );
    }
    return undefined;
  }
  const loaded: LoadedState = { data: image.data, seq: image.seq, snapshotFound: true, replayed: 0 };
  if (!journal) return loaded;
  if (journal.tail) loaded.skippedTail = { bytes: journal.size - journal.end, reason: journal.tail };
  if (!journal.header) return loaded;
  const { header } = journal;
  if (header.stateId !== image.data.id) {
    throw new StateFileError(
      path,
      `Journal ${path} belongs to state ${header.stateId}, but ${stateFile} is state ${image.data.id}. Both were left untouched; ` +
        `put back the state file that goes with this journal, or move the journal aside to use the state file alone.`,
    );
  }
  if (header.base > image.seq) {
    throw new StateFileError(
      path,
      `Journal ${path} continues snapshot ${header.base}, but ${stateFile} is only at ${image.seq}: entries in between are missing. ` +
        `Both were left untouched; restore the state folder from a backup.`,
    );
  }
  const groups = { ...image.data.groups };
  let seq = image.seq;
  for (const entry of journal.entries) {
    if (entry.seq <= seq) continue; // already in the snapshot (a crash during compaction leaves these)
    if (entry.seq !== seq + 1) {
      throw new StateFileError(path, `Journal ${path} jumps from entry ${seq} to ${entry.seq}; it was left untouched.`);
    }
    if (!applyEntry(groups, entry)) {
      throw new StateFileError(path, `Journal ${path} entry ${entry.seq} changes a group that is not in the state; it was left untouched.`);
    }
    seq = entry.seq;
    loaded.replayed++;
  }
  return { ...loaded, data: { ...image.data, groups }, seq };
}

function missingHint(stateFile: string): string {
  const prev = previousSnapshotPath(stateFile);
  return existsSync(prev)
    ? `copy the previous snapshot ${prev} to ${stateFile} and move the journal aside (what changed since that snapshot is then forgotten), or restore both from a backup`
    : 'restore the state file from a backup';
}

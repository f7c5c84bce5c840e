import { crc32 } from 'node:zlib';
import { Low } from 'lowdb';
import { StateFileError } from '../errors.js';
import { DurableJsonFile } from './durable-json-file.js';
import { previousSnapshotPath, restoreHint } from './previous-snapshot.js';
import { STATE_VERSION, type StateData } from './types.js';
import { validateState } from './validate.js';

/** The state as of journal sequence number `seq`. */
export interface SnapshotImage {
  data: StateData;
  seq: number;
}

/**
 * The JSON snapshot, written through lowdb with a durable adapter. It carries
 * the sequence number of the last journal entry it includes and a CRC-32 of
 * its groups, so a damaged file is refused instead of being read as truth.
 */
export class SnapshotFile {
  readonly #db: Low<SnapshotImage>;

  constructor(readonly file: string) {
    // lowdb wants a default; it is never read or written (write() always sets the image).
    const adapter = new DurableJsonFile<SnapshotImage>(file, stringifySnapshot, previousSnapshotPath(file));
    this.#db = new Low(adapter, { data: emptyData(new Date(0)), seq: 0 });
  }

  /** The snapshot, or undefined if there is no file; refuses a damaged one. */
  async read(): Promise<SnapshotImage | undefined> {
    const { found, value } = await new DurableJsonFile<unknown>(this.file).readRaw();
    return found ? parseSnapshot(this.file, value) : undefined;
  }

  async write(image: SnapshotImage): Promise<void> {
    this.#db.data = image;
    await this.#db.write();
  }
}

export function emptyData(createdAt: Date): StateData {
  return { version: STATE_VERSION, id: crypto.randomUUID(), createdAt: createdAt.toISOString(), groups: {} };
}

// Groups are stringified once, for the checksum and the file alike. The
// checksum covers every field but itself.
function stringifySnapshot({ data, seq }: SnapshotImage): string {
  const groups = JSON.stringify(data.groups);
  const head = { version: STATE_VERSION, id: data.id, createdAt: data.createdAt, seq };
  return `${JSON.stringify({ ...head, checksum: checksumOf(head, groups) }).slice(0, -1)},"groups":${groups}}\n`;
}

function checksumOf(head: { version: unknown; id: unknown; createdAt: unknown; seq?: unknown }, groups: string): number {
  const { version, id, createdAt, seq } = head;
  return crc32(groups, crc32(JSON.stringify({ version, id, createdAt, seq })));
}

function parseSnapshot(file: string, value: unknown): SnapshotImage {
  const data = validateState(file, value);
  const raw = value as { version: unknown; id: unknown; createdAt: unknown; seq?: unknown; checksum?: unknown };
  const seq = raw.seq ?? 0; // version 1 files have no journal
  if (!Number.isSafeInteger(seq) || (seq as number) < 0) {
    throw new StateFileError(
      file,
      `State file ${file} has \`seq\` ${JSON.stringify(raw.seq)}, expected a whole number. It was left untouched.`,
    );
  }
  // A missing checksum is accepted, so that a hand-edited file can be used by deleting the field.
  if (raw.checksum !== undefined) {
    const actual = checksumOf(raw, JSON.stringify(data.groups));
    if (raw.checksum !== actual) {
      throw new StateFileError(
        file,
        `State file ${file} fails its checksum (recorded ${JSON.stringify(raw.checksum)}, computed ${actual}): it was damaged ` +
          `or edited after Groundwork wrote it. It was left untouched; ${restoreHint(file)}; or if you edited it on purpose, ` +
          `delete its "checksum" field.`,
      );
    }
  }
  return { data: { version: STATE_VERSION, id: data.id, createdAt: data.createdAt, groups: data.groups }, seq: seq as number };
}

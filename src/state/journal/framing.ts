import { crc32 } from 'node:zlib';

/**
 * Journal records on disk: a 4-byte little-endian payload length, a 4-byte
 * CRC-32 of the payload, then the payload (UTF-8 JSON). The length lets a
 * reader skip to the next record; the checksum tells a complete record from
 * a torn or corrupted one.
 */
export const HEADER_BYTES = 8;
/** Larger lengths are taken as corruption rather than a record. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;

export function encodeRecord(payload: unknown): Buffer {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const record = Buffer.allocUnsafe(HEADER_BYTES + body.length);
  record.writeUInt32LE(body.length, 0);
  record.writeUInt32LE(crc32(body), 4);
  body.copy(record, HEADER_BYTES);
  return record;
}

export interface ScanResult {
  /** Payloads of the complete records, in order. */
  payloads: unknown[];
  /** Byte offset just past the last complete record. */
  end: number;
  /** Why scanning stopped before the end of the buffer, if it did. */
  problem?: string;
  /** True if a complete record follows the bad one: not a torn tail but corruption in the middle. */
  validAfterProblem: boolean;
}

/** Read records from the start of `buf` up to the first incomplete or corrupt one. */
export function scanRecords(buf: Buffer): ScanResult {
  const payloads: unknown[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const problem = recordProblem(buf, offset);
    if (problem) return { payloads, end: offset, problem, validAfterProblem: validRecordAfter(buf, offset + 1) };
    const length = buf.readUInt32LE(offset);
    const body = buf.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
    try {
      payloads.push(JSON.parse(body.toString('utf8')));
    } catch {
      return { payloads, end: offset, problem: `record at byte ${offset} has a valid checksum but is not JSON`, validAfterProblem: false };
    }
    offset += HEADER_BYTES + length;
  }
  return { payloads, end: offset, validAfterProblem: false };
}

function recordProblem(buf: Buffer, offset: number): string | undefined {
  if (buf.length - offset < HEADER_BYTES) return `${buf.length - offset} stray byte(s) at byte ${offset}, shorter than a record header`;
  const length = buf.readUInt32LE(offset);
  if (length > MAX_RECORD_BYTES) return `record at byte ${offset} claims ${length} bytes`;
  if (offset + HEADER_BYTES + length > buf.length) {
    return `record at byte ${offset} needs ${length} bytes but the file ends after ${buf.length - offset - HEADER_BYTES}`;
  }
  const body = buf.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length);
  if (crc32(body) !== buf.readUInt32LE(offset + 4)) return `record at byte ${offset} fails its checksum`;
  return undefined;
}

// A torn append only ever damages the last record. If a complete record can
// be found further on, the damage is in the middle and dropping the rest would
// lose acknowledged transitions, so loading must refuse instead.
function validRecordAfter(buf: Buffer, from: number): boolean {
  for (let offset = from; offset + HEADER_BYTES <= buf.length; offset++) {
    const length = buf.readUInt32LE(offset);
    if (length === 0 || length > buf.length - offset - HEADER_BYTES) continue;
    if (recordProblem(buf, offset) === undefined) return true;
  }
  return false;
}

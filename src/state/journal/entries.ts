import type { GroupRecord } from '../types.js';

/** First record of every journal file: which state it belongs to and the snapshot it follows. */
export interface JournalHeader {
  journal: 1;
  stateId: string;
  /** Sequence number of the snapshot this journal continues; its entries start at base + 1. */
  base: number;
}

/** One transition: groups inserted or replaced, groups removed. */
export interface JournalEntry {
  seq: number;
  put?: GroupRecord[];
  del?: string[];
}

export function isHeader(value: unknown): value is JournalHeader {
  const v = value as Partial<JournalHeader> | null;
  return typeof v === 'object' && v !== null && v.journal === 1 && typeof v.stateId === 'string' && Number.isSafeInteger(v.base);
}

export function isEntry(value: unknown): value is JournalEntry {
  const v = value as Partial<JournalEntry> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    Number.isSafeInteger(v.seq) &&
    (v.put === undefined || Array.isArray(v.put)) &&
    (v.del === undefined || Array.isArray(v.del))
  );
}

export function applyEntry(groups: Record<string, GroupRecord>, entry: JournalEntry): void {
  for (const record of entry.put ?? []) groups[record.name] = record;
  for (const name of entry.del ?? []) delete groups[name];
}

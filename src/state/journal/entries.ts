import type { GroupRecord, StepRecord } from '../types.js';

/** First record of every journal file: which state it belongs to and the snapshot it follows. */
export interface JournalHeader {
  journal: 1;
  stateId: string;
  /** Sequence number of the snapshot this journal continues; its entries start at base + 1. */
  base: number;
}

/**
 * A change to one group: its record without the steps (only when those
 * fields changed) and the steps that changed. Most transitions touch one or
 * two steps and nothing else.
 */
export interface GroupDelta {
  name: string;
  /** The group's fields but its fingerprint, which only a put sets. */
  group?: Omit<GroupRecord, 'steps' | 'fingerprint'>;
  steps: [index: number, step: StepRecord][];
}

/** One transition: groups inserted or replaced, groups changed in part, groups removed. */
export interface JournalEntry {
  seq: number;
  put?: GroupRecord[];
  set?: GroupDelta[];
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
    (v.set === undefined || Array.isArray(v.set)) &&
    (v.del === undefined || Array.isArray(v.del))
  );
}

/** Apply an entry; a delta for a group that is not there means the journal does not fit its snapshot. */
export function applyEntry(groups: Record<string, GroupRecord>, entry: JournalEntry): boolean {
  for (const record of entry.put ?? []) groups[record.name] = record;
  for (const { name, group, steps: changed } of entry.set ?? []) {
    const before = groups[name];
    if (!before) return false;
    const steps = before.steps.slice();
    for (const [index, step] of changed) steps[index] = step;
    // A delta's group fields never carry the fingerprint (fixed when the record was put): keep it.
    const fields = group ? (before.fingerprint ? { ...group, fingerprint: before.fingerprint } : group) : before;
    groups[name] = { ...fields, steps };
  }
  for (const name of entry.del ?? []) delete groups[name];
  return true;
}

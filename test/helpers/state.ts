// Reading a state file directly, independently of the library's own reader.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { Scheduler } from '../../src/index.js';
import { waitForFile } from './wait.js';

export interface RawStep {
  state: string;
  provisioner: { class: string; fields: { json: Record<string, unknown> } };
  output?: { json: unknown };
}

export interface RawGroup {
  state: string;
  steps: RawStep[];
  fingerprint?: unknown;
}

export interface RawState {
  id: string;
  seq?: number;
  groups: Record<string, RawGroup>;
}

/**
 * The state as it is on disk: the JSON snapshot plus the entries of
 * `<file>.journal` after it (records: u32 LE length, u32 LE CRC-32, JSON),
 * up to the first incomplete record.
 */
export function readRawState(stateFile: string): RawState {
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as RawState;
  for (const entry of journalEntries(stateFile).slice(1)) {
    if (entry.seq <= (state.seq ?? 0)) continue;
    for (const g of entry.put ?? []) state.groups[g.name] = g;
    for (const { name, group, steps } of entry.set ?? []) {
      const before = state.groups[name]!;
      // A delta's group fields leave out the fingerprint, which only the put wrote.
      const fields = group ? { ...group, ...(before.fingerprint ? { fingerprint: before.fingerprint } : {}) } : before;
      const next = { ...fields, steps: before.steps.slice() };
      for (const [i, step] of steps) next.steps[i] = step;
      state.groups[name] = next;
    }
    for (const name of entry.del ?? []) delete state.groups[name];
    state.seq = entry.seq;
  }
  return state;
}

/** Write a hand-edited state: without its checksum (as a person editing it would drop it) and without a journal. */
export function writeRawState(stateFile: string, state: RawState): void {
  const { checksum: _dropped, ...rest } = state as RawState & { checksum?: number };
  writeFileSync(stateFile, JSON.stringify(rest, null, 2));
  rmSync(`${stateFile}.journal`, { force: true });
}

interface RawEntry {
  seq: number;
  put?: (RawGroup & { name: string })[];
  set?: { name: string; group?: Omit<RawGroup, 'steps'>; steps: [number, RawStep][] }[];
  del?: string[];
}

/** The complete records of the journal (the first is its header); [] if there is none. */
export function journalEntries(stateFile: string): RawEntry[] {
  let buf: Buffer;
  try {
    buf = readFileSync(`${stateFile}.journal`);
  } catch {
    return [];
  }
  const out: RawEntry[] = [];
  for (let at = 0; at + 8 <= buf.length;) {
    const length = buf.readUInt32LE(at);
    const body = buf.subarray(at + 8, at + 8 + length);
    if (body.length < length || crc32(body) !== buf.readUInt32LE(at + 4)) break;
    out.push(JSON.parse(body.toString('utf8')) as RawEntry);
    at += 8 + length;
  }
  return out;
}

/** The groups in the state file, by name. */
export function stateGroups(stateFile: string): Record<string, RawGroup> {
  return readRawState(stateFile).groups;
}

/** The saved fields of a step's provisioner; throws if the state has no such step. */
export function stepFields(stateFile: string, group: string, step: number): Record<string, unknown> {
  const fields = readRawState(stateFile).groups[group]?.steps[step]?.provisioner.fields.json;
  if (!fields) throw new Error(`no snapshot for ${group} step ${step} in ${stateFile}`);
  return fields;
}

/** What `Scheduler.open` of `stateFile` rejects with, or undefined (after closing it again) if it opens. */
export function openError(stateFile: string): Promise<unknown> {
  return Scheduler.open({ stateFile }).then(
    async (s) => {
      await s.close();
      return undefined;
    },
    (e: unknown) => e,
  );
}

/** Wait (on the state's folder, no sleeping) until `read` of the state returns something other than undefined. */
export async function waitForState<T>(stateFile: string, read: (state: RawState) => T | undefined): Promise<T> {
  const attempt = (): T | undefined => {
    try {
      return read(readRawState(stateFile));
    } catch {
      return undefined; // not written yet, or being replaced
    }
  };
  await waitForFile(stateFile, () => attempt() !== undefined);
  return attempt()!;
}

/** Wait until a step's snapshot has `field` set, and return it. */
export function waitForStepField(stateFile: string, group: string, step: number, field: string): Promise<unknown> {
  return waitForState(stateFile, (s) => s.groups[group]?.steps[step]?.provisioner.fields.json[field] ?? undefined);
}

// Reading a state file directly, independently of the library's own reader.
import { readFileSync } from 'node:fs';
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
}

export interface RawState {
  id: string;
  groups: Record<string, RawGroup>;
}

/** The state file's JSON as it is on disk. */
export function readRawState(stateFile: string): RawState {
  return JSON.parse(readFileSync(stateFile, 'utf8')) as RawState;
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

/** Wait (on the file, no sleeping) until a step's snapshot has `field` set, and return it. */
export async function waitForStepField(stateFile: string, group: string, step: number, field: string): Promise<unknown> {
  const read = (text: string): unknown => {
    try {
      return (JSON.parse(text) as RawState).groups[group]?.steps[step]?.provisioner.fields.json[field] ?? undefined;
    } catch {
      return undefined; // not written yet
    }
  };
  return read(await waitForFile(stateFile, (text) => read(text) !== undefined));
}

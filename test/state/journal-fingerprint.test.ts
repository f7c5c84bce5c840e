// A group's fingerprint is written once, with the record (put); the deltas of its later
// transitions leave it out, and replaying them keeps it.
import { expect, test } from 'vitest';
import { applyEntry } from '../../src/state/journal/entries.js';
import { JsonFileStore } from '../../src/state/file-store.js';
import { loadState } from '../../src/state/load.js';
import type { GroupRecord } from '../../src/state/types.js';
import { tempStateFile } from '../helpers/temp.js';
import { readFileSync } from 'node:fs';

const record = (state: GroupRecord['state']): GroupRecord =>
  ({
    name: 'db',
    state,
    dependsOn: [],
    scheduledAt: '2026-12-01T00:00:00.000Z',
    steps: [],
    fingerprint: [{ class: 'LocalService', fields: { port: '5432' } }],
  }) as unknown as GroupRecord;

test('a delta of the group fields keeps the fingerprint the record was put with', () => {
  const groups: Record<string, GroupRecord> = {};
  applyEntry(groups, { seq: 1, put: [record('pending')] });
  const { fingerprint: _omitted, steps: _steps, ...fields } = record('provisioning');
  applyEntry(groups, { seq: 2, set: [{ name: 'db', group: fields, steps: [] }] });
  expect(groups.db).toMatchObject({ state: 'provisioning', fingerprint: [{ class: 'LocalService', fields: { port: '5432' } }] });
});

test('the journal carries the fingerprint in the put only, and a reload from it has it', async () => {
  const stateFile = await tempStateFile();
  const store = new JsonFileStore(stateFile);
  await store.open();
  await store.putGroups([record('pending')]);
  await store.updateGroup(record('provisioning'), [], true);
  const journal = readFileSync(`${stateFile}.journal`, 'latin1');
  expect(journal.split('LocalService').length - 1).toBe(1);
  expect((await loadState(stateFile))?.data.groups.db?.fingerprint).toEqual([{ class: 'LocalService', fields: { port: '5432' } }]);
  await store.close();
});

import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { GroupState, Scheduler, StateFileError } from '../../src/index.js';
import { STATE_VERSION } from '../../src/state/types.js';
import { readStateFile } from '../../src/state/file-store.js';
import { Tagged, TAGGED_ID } from '../helpers/provisioners.js';
import { openError, readRawState } from '../helpers/state.js';
import { tempDir } from '../helpers/temp.js';

const validGroup = {
  name: 'db',
  dependsOn: [],
  state: 'pending',
  scheduledAt: '2024-01-01T00:00:00.000Z',
  steps: [{ state: 'pending', provisioner: { class: TAGGED_ID, fields: { json: { name: 'db', tag: 't' } } } }],
};

function stateWith(groups: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ version: STATE_VERSION, id: 'state-id', createdAt: '2024-01-01T00:00:00.000Z', groups, ...extra }, null, 2);
}

const refused: { title: string; text: string; message: RegExp }[] = [
  { title: 'not JSON', text: '{"version": 1, "groups": {', message: /is not valid JSON/ },
  { title: 'empty', text: '', message: /is not valid JSON/ },
  {
    title: 'of an unknown version',
    text: stateWith({}, { version: 99 }),
    message: /has version 99, but this Groundwork reads versions 1 and 2/,
  },
  { title: 'a JSON file that is not a state', text: '{"foo":1}', message: /is not a Groundwork state file \(no `id` or `version`\)/ },
  { title: 'a JSON array', text: '[]', message: /expected a JSON object at the top/ },
  { title: 'JSON null', text: 'null', message: /expected a JSON object at the top/ },
  {
    title: 'a group with a bad state',
    text: stateWith({ db: { ...validGroup, state: 'exploded' } }),
    message: /`groups\.db\.state` is "exploded"/,
  },
  {
    title: 'a group under the wrong name',
    text: stateWith({ db: { ...validGroup, name: 'app' } }),
    message: /`groups\.db\.name` is "app"/,
  },
  {
    title: 'a group without steps',
    text: stateWith({ db: { ...validGroup, steps: undefined } }),
    message: /`groups\.db\.steps` is not an array/,
  },
  {
    title: 'a step without a provisioner',
    text: stateWith({ db: { ...validGroup, steps: [{ state: 'done' }] } }),
    message: /`groups\.db\.steps\[0\]\.provisioner` is malformed/,
  },
];

describe('a bad state file is refused and left untouched', () => {
  test.each(refused)('$title', async ({ text, message }) => {
    const dir = await tempDir();
    const file = join(dir, 'state.json');
    await writeFile(file, text);
    const before = await readFile(file);

    const error = await openError(file);

    expect(error).toBeInstanceOf(StateFileError);
    const e = error as StateFileError;
    expect(e.code).toBe('GW_STATE_FILE');
    expect(e.file).toBe(file);
    expect(e.message).toContain(file);
    expect(e.message).toMatch(message);
    // Same bytes, and no lock or temp file left behind.
    expect(await readFile(file)).toEqual(before);
    expect(existsSync(`${file}.lock`)).toBe(false);
    expect(await readdir(dir)).toEqual(['state.json']);

    // readStateFile refuses it the same way.
    await expect(readStateFile(file)).rejects.toBeInstanceOf(StateFileError);
  });

  test('a refused file does not keep the state locked: fixing it lets the next open in', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state.json');
    await writeFile(file, 'garbage');
    await expect(Scheduler.open({ stateFile: file })).rejects.toBeInstanceOf(StateFileError);

    await writeFile(file, stateWith({ db: validGroup }));
    const s = await Scheduler.open({ stateFile: file });
    try {
      expect(s.groups()).toEqual(['db']);
      expect(s.stateId).toBe('state-id');
    } finally {
      await s.close();
    }
  });
});

describe('durable writes', () => {
  test('50 concurrent schedule() calls all land, with no temp file left', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state.json');
    const names = Array.from({ length: 50 }, (_, i) => `g${String(i).padStart(2, '0')}`);

    const s = await Scheduler.open({ stateFile: file });
    try {
      const added = await Promise.all(names.map((name) => s.schedule(name, [new Tagged(name)])));
      expect(added).toEqual(names.map(() => true));

      // Only the state file, its journal and our lock: every temp file was renamed into place.
      expect((await readdir(dir)).sort()).toEqual(['state.json', 'state.json.journal', 'state.json.lock']);
      const onDisk = readRawState(file);
      expect(Object.keys(onDisk.groups).sort()).toEqual(names);
      expect(Object.values(onDisk.groups).every((g) => g.state === GroupState.Pending)).toBe(true);

      // More concurrent writes, of step and group states this time.
      const summary = await s.run();
      expect(summary.ok).toBe(true);
      expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    } finally {
      await s.close();
    }

    // The close folded the journal into a new snapshot, keeping the one before as `.prev`.
    expect((await readdir(dir)).sort()).toEqual(['state.json', 'state.json.prev']);
    const reopened = await Scheduler.open({ stateFile: file });
    try {
      expect(reopened.groups().sort()).toEqual(names);
      expect(reopened.status().every((g) => g.state === GroupState.Provisioned)).toBe(true);
      expect(reopened.output('g07')).toEqual({ tag: 'g07' });
    } finally {
      await reopened.close();
    }
  });

  test('readStateFile reads without taking the lock while a Scheduler holds it', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state.json');
    const s = await Scheduler.open({ stateFile: file });
    try {
      await s.schedule('db', [new Tagged('a')]);
      const lockBefore = await readFile(`${file}.lock`, 'utf8');
      expect(JSON.parse(lockBefore)).toMatchObject({ pid: process.pid });

      const data = await readStateFile(file);
      expect(data?.id).toBe(s.stateId);
      expect(Object.keys(data!.groups)).toEqual(['db']);
      expect(data!.groups.db!.state).toBe(GroupState.Pending);

      // The lock is untouched and the scheduler still owns the file.
      expect(await readFile(`${file}.lock`, 'utf8')).toBe(lockBefore);
      await s.schedule('app', [new Tagged('b')], { dependsOn: ['db'] });
      expect(Object.keys((await readStateFile(file))!.groups)).toEqual(['db', 'app']);
    } finally {
      await s.close();
    }
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  test('readStateFile of a missing file is undefined and creates nothing', async () => {
    const dir = await tempDir();
    expect(await readStateFile(join(dir, 'none.json'))).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });
});

// The snapshot before the current one is kept as `<state>.prev`, and the damaged-file message's
// advice to restore it works when followed.
import { existsSync } from 'node:fs';
import { copyFile, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { Scheduler, StateFileError } from '../../src/index.js';
import { readStateFile } from '../../src/state/file-store.js';
import { runMain } from '../helpers/cli-in-process.js';
import { Tagged } from '../helpers/provisioners.js';
import { openError } from '../helpers/state.js';
import { tempDir } from '../helpers/temp.js';

async function withGroup(file: string, name: string): Promise<void> {
  await using s = await Scheduler.open({ stateFile: file });
  await s.schedule(name, [new Tagged(name)]);
} // close folds the journal into a new snapshot

test('each snapshot write keeps the one before as .prev', async () => {
  const file = join(await tempDir(), 'state.json');
  await withGroup(file, 'a');
  await withGroup(file, 'b');

  const prev = `${file}.prev`;
  const before = JSON.parse(await readFile(prev, 'utf8')) as { seq: number; id: string };
  const now = JSON.parse(await readFile(file, 'utf8')) as { seq: number; id: string };
  expect(before.id).toBe(now.id);
  expect(before.seq).toBeLessThan(now.seq);
  // A whole state file in its own right: the one before `b` was scheduled.
  expect(Object.keys((await readStateFile(prev))!.groups)).toEqual(['a']);
  expect(Object.keys((await readStateFile(file))!.groups)).toEqual(['a', 'b']);
});

test('a damaged state file names .prev, and doing what the message says restores it', async () => {
  const file = join(await tempDir(), 'state.json');
  await withGroup(file, 'a');
  await withGroup(file, 'b');
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace('"b"', '"x"')); // fails its checksum

  const error = await openError(file);
  expect(error).toBeInstanceOf(StateFileError);
  const message = (error as Error).message;
  expect(message).toContain(`restore the previous snapshot ${file}.prev (copy it over ${file} and move ${file}.journal aside`);

  // The command line exits with the state file's own code.
  const status = await runMain(['status', '--state', file]);
  expect(status.code).toBe(4);
  expect(status.stderr).toContain(`${file}.prev`);

  await copyFile(`${file}.prev`, file);
  if (existsSync(`${file}.journal`)) await rename(`${file}.journal`, `${file}.journal.aside`);
  await using s = await Scheduler.open({ stateFile: file });
  expect(s.groups()).toEqual(['a']);
});

test('without a .prev the message says so; a JSON file that is not a state exits 4 and is called that', async () => {
  const dir = await tempDir();
  const file = join(dir, 'state.json');
  await writeFile(file, '{"version": 2, "groups": {');
  const damaged = await runMain(['status', '--state', file]);
  expect(damaged.code).toBe(4);
  expect(damaged.stderr).toContain(`is not valid JSON`);
  expect(damaged.stderr).toContain(`there is no previous snapshot ${file}.prev`);

  await writeFile(file, '{"foo":1}');
  const other = await runMain(['status', '--state', file]);
  expect(other.code).toBe(4);
  expect(other.stderr).toContain(`${file} is not a Groundwork state file (no \`id\` or \`version\`)`);
  expect(other.stderr).not.toContain('reads versions'); // not "another version"
});

// The lock's owner is written to a temp file that is then linked into place:
// a write that fails leaves neither the temp file nor a lock.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { armFailpoints } from '../../src/failpoints.js';
import { StateLock } from '../../src/state/lock.js';
import { tempDir } from '../helpers/temp.js';

test('a failed write of the lock leaves no temp file and no lock, and the next acquire succeeds', async () => {
  const dir = await tempDir('gw-lock-eio-');
  const stateFile = join(dir, 'state.json');
  onTestFinished(armFailpoints('lock-before-write:eio'));

  await expect(new StateLock(stateFile).acquire()).rejects.toMatchObject({ code: 'EIO' });
  expect(await readdir(dir)).toEqual([]);

  const lock = new StateLock(stateFile);
  await lock.acquire(); // the failpoint acts once
  expect(await readdir(dir)).toEqual(['state.json.lock']);
  await lock.release();
  expect(await readdir(dir)).toEqual([]);
});

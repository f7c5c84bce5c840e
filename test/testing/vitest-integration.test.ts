// groundworkGlobalSetup inside a real vitest run: provision, inject, teardown.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, test } from 'vitest';
import { readStateFile } from '../../src/state/file-store.js';
import { tempDir } from '../helpers/temp.js';
import { isRunning } from '../helpers/wait.js';

const root = join(import.meta.dirname, '..', '..');

test('a child vitest provisions the groups, its test injects their outputs, and its teardown stops them', async () => {
  const dir = await tempDir();
  const state = join(dir, 'state.json');
  const pids = join(dir, 'pids.txt');
  const result = await execa(
    process.execPath,
    [join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/fixtures/hook-project/vitest.config.ts'],
    {
      cwd: root,
      env: { GW_STATE: state, GW_PIDS: pids, CI: 'true' },
      reject: false,
    },
  );
  expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
  expect(result.stdout).toContain('1 passed');

  const seen = (await readFile(pids, 'utf8')).trim().split('\n').map(Number);
  expect(seen).toHaveLength(1);
  expect(isRunning(seen[0]!)).toBe(false);
  expect(Object.keys((await readStateFile(state))?.groups ?? {})).toEqual([]);
});

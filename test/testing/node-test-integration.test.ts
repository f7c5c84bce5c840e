// groundwork/node-test inside a real `node --test` run: useCluster in before(), teardown in after().
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, test } from 'vitest';
import { readStateFile } from '../../src/state/file-store.js';
import { ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { isRunning } from '../helpers/wait.js';

test('a child node --test brings the groups up in before(), its test uses their outputs, and after() tears them down', async () => {
  const dir = await tempDir();
  const state = join(dir, 'state.json');
  const pids = join(dir, 'pids.txt');
  const result = await execa(process.execPath, ['--import', 'tsx', '--test', 'test/fixtures/node-test-project/cluster.test.ts'], {
    cwd: ROOT,
    env: { GW_STATE: state, GW_PIDS: pids, CI: 'true' },
    reject: false,
  });
  expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
  expect(result.stdout).toMatch(/# pass 1\b/);

  const seen = (await readFile(pids, 'utf8')).trim().split('\n').map(Number);
  expect(seen).toHaveLength(1);
  expect(isRunning(seen[0]!)).toBe(false);
  expect(Object.keys((await readStateFile(state))?.groups ?? {})).toEqual([]);
});

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, test } from 'vitest';
import type { StateData } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';
import { isRunning, waitForFile } from '../helpers/wait.js';

const root = join(import.meta.dirname, '..', '..');

test('Ctrl-C during provision cancels the in-flight step, records it, stops its process and exits 130', async () => {
  const dir = await tempDir();
  const state = join(dir, 'state.json');
  const cli = execa(
    process.execPath,
    ['--import', 'tsx', 'tasks.ts', 'provision', '--config', 'test/fixtures/sigint-config.ts', '--state', state],
    {
      cwd: root,
      reject: false,
    },
  );
  try {
    // Wait until the service's pid is checkpointed: it is started and waiting on its port.
    const pidOf = (text: string): number | undefined => {
      try {
        const fields = (JSON.parse(text) as StateData).groups.slow?.steps[0]?.provisioner.fields.json as { pid?: number } | undefined;
        return fields?.pid ?? undefined;
      } catch {
        return undefined;
      }
    };
    const pid = pidOf(await waitForFile(state, (text) => pidOf(text) !== undefined));
    expect(pid).toBeTypeOf('number');

    cli.kill('SIGINT');
    const result = await cli;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('Interrupted');

    const after = JSON.parse(await readFile(state, 'utf8')) as StateData;
    expect(after.groups.slow!.state).toBe('failed');
    expect(after.groups.slow!.error?.message).toMatch(/interrupted|abort/i);
    expect(after.groups.after!.state).toBe('blocked'); // never started: its dependency did not provision
    expect(after.groups.after!.steps[0]!.state).toBe('pending');
    expect(isRunning(pid!)).toBe(false); // the half-started service was stopped
    expect(await readFile(`${state}.lock`, 'utf8').catch(() => 'gone')).toBe('gone');
  } finally {
    cli.kill('SIGKILL');
    await cli;
    await execa(
      process.execPath,
      ['--import', 'tsx', 'tasks.ts', 'teardown', '--force', '--config', 'test/fixtures/sigint-config.ts', '--state', state],
      {
        cwd: root,
        reject: false,
      },
    );
  }
});

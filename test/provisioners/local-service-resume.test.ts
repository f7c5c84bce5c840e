// kill -9 of the CLI while a LocalService waits for its port: the next run
// adopts the process it had started (no duplicate), and teardown stops it.
import { expect, test } from 'vitest';
import { spawnTs } from '../helpers/children.js';
import { fixture } from '../helpers/paths.js';
import { serviceWorkspace } from '../helpers/processes.js';
import { stepFields, waitForStepField } from '../helpers/state.js';
import { isRunning } from '../helpers/wait.js';

test('a LocalService started before a kill -9 is adopted on resume, not started twice, and torn down', async () => {
  const { stateFile, track } = await serviceWorkspace('groundwork-adopt-');
  const cli = (...args: string[]) => spawnTs(['tasks.ts', ...args, '--config', fixture('service-slow-config.ts'), '--state', stateFile]);

  const first = cli('provision');
  const pid = (await waitForStepField(stateFile, 'slow', 0, 'pid')) as number;
  track(pid); // safety net, should the test fail half-way
  first.proc.kill('SIGKILL');
  expect((await first.exited).signal).toBe('SIGKILL');
  expect(isRunning(pid)).toBe(true); // its own process group: it outlives the CLI

  const second = cli('provision');
  const resumed = await second.exited;
  expect(resumed.code, second.stderr()).toBe(0);
  expect(second.stdout()).toContain('slow [1] LocalService (resumed)');
  const fields = stepFields(stateFile, 'slow', 0);
  expect(fields.pid).toBe(pid); // adopted, not started again

  const teardown = cli('teardown');
  expect((await teardown.exited).code, teardown.stderr()).toBe(0);
  expect(isRunning(pid)).toBe(false);
});

// status and teardown work from the state file alone: the group is not in the config they are given.
import { expect, test } from 'vitest';
import { spawnTs } from '../helpers/children.js';
import { fixture } from '../helpers/paths.js';
import { serviceWorkspace } from '../helpers/processes.js';
import { stateGroups, stepFields } from '../helpers/state.js';
import { isRunning } from '../helpers/wait.js';

test('a group the config no longer defines is shown by status and stopped by teardown', async () => {
  const { stateFile, track } = await serviceWorkspace('groundwork-alone-');
  const cli = async (config: string, ...args: string[]) => {
    const child = spawnTs(['tasks.ts', ...args, '--config', fixture(config), '--state', stateFile]);
    const { code } = await child.exited;
    return { code, stdout: child.stdout(), stderr: child.stderr() };
  };

  const provision = await cli('hook-config.ts', 'provision', 'db');
  expect(provision.code, provision.stderr).toBe(0);
  expect(Object.keys(stateGroups(stateFile))).toEqual(['db']); // only what was asked for is scheduled
  const pid = stepFields(stateFile, 'db', 0).pid as number;
  track(pid);
  expect(isRunning(pid)).toBe(true);

  // service-slow-config.ts defines only `slow`.
  const status = await cli('service-slow-config.ts', 'status');
  expect(status.code, status.stderr).toBe(0);
  expect(status.stdout).toContain('db: provisioned');
  expect(status.stdout).toMatch(new RegExp(`pid ${pid} running, 127\\.0\\.0\\.1:\\d+`));

  const teardown = await cli('service-slow-config.ts', 'teardown');
  expect(teardown.code, teardown.stderr).toBe(0);
  expect(teardown.stdout).toContain('Torn down 1 group(s).');
  expect(isRunning(pid)).toBe(false);
  expect(stateGroups(stateFile)).toEqual({});
});

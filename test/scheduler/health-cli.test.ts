// `provision` of groups already provisioned runs their health checks: an unhealthy
// one is replaced (with its dependents) and the output says why; --no-check skips that.
import { expect, test } from 'vitest';
import { stopProcessGroup } from '../../src/os/process-tree.js';
import { runTasks } from '../helpers/cli.js';
import { fixture } from '../helpers/paths.js';
import { serviceWorkspace, startTimeOf } from '../helpers/processes.js';
import { stepFields } from '../helpers/state.js';
import { isRunning } from '../helpers/wait.js';

test('provision replaces a group whose process died, with its dependent, and prints why; --no-check leaves it', async () => {
  const { stateFile, track } = await serviceWorkspace('groundwork-health-cli-');
  const cli = (...args: string[]) => runTasks(['provision', ...args, '--config', fixture('health-config.ts'), '--state', stateFile]);
  const pid = (group: string) => {
    const p = stepFields(stateFile, group, 0).pid as number;
    track(p);
    return p;
  };
  const kill = async (p: number) => {
    const start = startTimeOf(p);
    process.kill(-p, 'SIGKILL');
    await stopProcessGroup(p, start, { graceMs: 0 }); // resolves once the group is gone
  };

  expect((await cli()).code).toBe(0);
  const [db, app] = [pid('db'), pid('app')];

  const healthy = await cli();
  expect(healthy.code, healthy.stderr).toBe(0);
  expect(healthy.stdout).not.toContain('unhealthy');
  expect([pid('db'), pid('app')]).toEqual([db, app]);

  await kill(db);
  const skipped = await cli('--no-check');
  expect(skipped.code, skipped.stderr).toBe(0);
  expect(skipped.stdout).not.toContain('unhealthy');
  expect(pid('db')).toBe(db); // not checked, so not replaced

  const repaired = await cli();
  expect(repaired.code, repaired.stderr).toBe(0);
  expect(repaired.stdout).toContain(`db unhealthy, replacing it: [1] LocalService: pid ${db} is gone`);
  expect(repaired.stdout).toContain('Replaced db, app (unhealthy, with dependents).');
  expect(pid('db')).not.toBe(db);
  expect(pid('app')).not.toBe(app);
  expect(isRunning(app)).toBe(false);
  expect(isRunning(pid('db'))).toBe(true);

  expect((await runTasks(['teardown', '--config', fixture('health-config.ts'), '--state', stateFile])).code).toBe(0);
}, 120_000); // five CLI runs, each paying the CLI's start-up

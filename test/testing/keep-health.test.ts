// The vitest helper's keep mode with health on reuse: called in-process the way vitest
// calls a globalSetup, with real LocalService processes.
import { expect, test } from 'vitest';
import { defineConfig, LocalService, type LocalServiceOutput, type Logger } from '../../src/index.js';
import { stopProcessGroup } from '../../src/os/process-tree.js';
import { groundworkGlobalSetup } from '../../src/testing/vitest.js';
import { fixture } from '../helpers/paths.js';
import { serviceWorkspace, startTimeOf } from '../helpers/processes.js';
import { isRunning } from '../helpers/wait.js';

const server = (name: string) =>
  new LocalService({ command: process.execPath, args: [fixture('remote/echo-server.cjs'), '127.0.0.1', '{{port}}', name], port: 'auto' });

test('keep mode replaces a kept LocalService whose process died (and its dependent), says why, and leaves healthy groups alone', async () => {
  const { stateFile, track } = await serviceWorkspace('groundwork-keep-health-');
  const config = defineConfig({
    groups: {
      db: { provisioners: () => [server('db')] },
      app: { dependsOn: ['db'], provisioners: () => [server('app')] },
      other: { provisioners: () => [server('other')] },
    },
  });
  const warnings: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (m) => warnings.push(m), error: (m) => warnings.push(m) };
  const setup = async () => {
    const provided: Record<string, unknown> = {};
    const teardown = await groundworkGlobalSetup({ config, stateFile, keep: true, logger })({ provide: (key, value) => void (provided[key] = value) });
    await teardown(); // keep: leaves the groups for the next run
    const outputs = provided.groundwork as Record<string, LocalServiceOutput>;
    for (const o of Object.values(outputs)) track(o.pid);
    return outputs;
  };

  const first = await setup();
  const healthy = await setup(); // all alive: nothing is touched
  expect(Object.fromEntries(Object.entries(healthy).map(([g, o]) => [g, o.pid]))).toEqual(
    Object.fromEntries(Object.entries(first).map(([g, o]) => [g, o.pid])),
  );
  expect(warnings).toEqual([]);

  // db's process dies (as if it crashed): SIGKILL its group, and wait until it is gone.
  const db = first.db!;
  process.kill(-db.pid, 'SIGKILL');
  await stopProcessGroup(db.pid, startTimeOf(db.pid), { graceMs: 0 });
  expect(isRunning(db.pid)).toBe(false);

  const repaired = await setup();
  expect(repaired.db!.pid).not.toBe(db.pid);
  expect(isRunning(repaired.db!.pid)).toBe(true);
  expect(repaired.app!.pid).not.toBe(first.app!.pid); // its dependent was replaced too
  expect(isRunning(first.app!.pid)).toBe(false);
  expect(repaired.other!.pid).toBe(first.other!.pid); // healthy: untouched
  expect(warnings.join('\n')).toContain(`db is unhealthy: step 1 (LocalService): pid ${db.pid} is gone`);
});

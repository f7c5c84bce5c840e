// The vitest helper's keep mode with drift: called in-process the way vitest
// calls a globalSetup (as test/testing/vitest-global-setup.test.ts does).
import { beforeEach, expect, test } from 'vitest';
import { defineConfig, Scheduler } from '../../src/index.js';
import { groundworkGlobalSetup } from '../../src/testing/vitest.js';
import { callIds, calls, GwStep, newStateFile, resetFixtures } from '../helpers/scheduler.js';

beforeEach(resetFixtures);

test('keep mode reuses an unchanged group and replaces a drifted one (dependents too) before the tests start', async () => {
  const stateFile = await newStateFile();
  let dbId = 'db-v1';
  const config = defineConfig({
    groups: {
      db: { provisioners: () => [new GwStep(dbId)] },
      app: { dependsOn: ['db'], provisioners: () => [new GwStep('app')] },
      other: { provisioners: () => [new GwStep('other')] },
    },
  });
  const setup = async () => {
    const provided: Record<string, unknown> = {};
    const teardown = await groundworkGlobalSetup({ config, stateFile, keep: true })({
      provide: (key, value) => void (provided[key] = value),
    });
    await teardown(); // keep: leaves the groups for the next run
    return provided.groundwork as Record<string, unknown>;
  };

  expect(await setup()).toEqual({ db: { from: 'db-v1' }, app: { from: 'app' }, other: { from: 'other' } });
  calls.length = 0;

  // Unchanged: everything is reused.
  await setup();
  expect(calls).toEqual([]);

  dbId = 'db-v2';
  const outputs = await setup();
  expect(callIds('shutdown')).toEqual(['app', 'db-v1']);
  expect(callIds('startup')).toEqual(['db-v2', 'app']);
  expect(calls.map((c) => c.op)).toEqual(['shutdown', 'shutdown', 'startup', 'startup']);
  expect(outputs.db).toEqual({ from: 'db-v2' });

  await using s = await Scheduler.open({ stateFile });
  expect((await s.teardown()).ok).toBe(true);
});

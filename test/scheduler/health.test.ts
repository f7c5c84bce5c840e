// Health on reuse: Scheduler.checkHealth / repairUnhealthy against a real state file,
// with a test provisioner whose check a test controls (by id, as GwStep's faults).
import { beforeEach, expect, test } from 'vitest';
import { registerProvisioner, type CheckResult, type ProvisionerContext } from '../../src/index.js';
import { callIds, calls, GwStep, newStateFile, provisioned, recordEvents, resetFixtures } from '../helpers/scheduler.js';
import { deferred } from '../helpers/wait.js';

type Behaviour = (ctx: ProvisionerContext) => CheckResult | Promise<CheckResult>;
const behaviours = new Map<string, Behaviour>();

/** A step with a `check`: healthy unless `behaviours` says otherwise. */
class Checked extends GwStep {
  check(ctx: ProvisionerContext): CheckResult | Promise<CheckResult> {
    return (behaviours.get(this.id) ?? (() => ({ ok: true })))(ctx);
  }
}
registerProvisioner(Checked, 'test-health:Checked');

beforeEach(() => {
  resetFixtures();
  behaviours.clear();
});

const specs = () => [
  { name: 'db', provisioners: () => [new Checked('db')] },
  { name: 'app', dependsOn: ['db'], provisioners: () => [new GwStep('app-plain'), new Checked('app')] },
  { name: 'other', provisioners: () => [new Checked('other')] },
];

test('checkHealth reports the first failing step of each unhealthy group, with its reason, and emits group:unhealthy', async () => {
  await using s = await provisioned(await newStateFile(), specs());
  const events = recordEvents(s);
  expect(await s.checkHealth()).toEqual([]);

  behaviours.set('app', () => ({ ok: false, reason: 'pid 4121 is gone' }));
  behaviours.set('other', () => {
    throw new Error('socket hang up');
  });
  const unhealthy = await s.checkHealth();
  expect(unhealthy).toEqual([
    { group: 'app', step: 1, provisioner: 'test-health:Checked', reason: 'pid 4121 is gone' },
    { group: 'other', step: 0, provisioner: 'test-health:Checked', reason: 'its check threw: socket hang up' },
  ]);
  expect(events.filter((e) => e.event === 'group:unhealthy').map((e) => e.payload)).toEqual(unhealthy);
  expect(await s.checkHealth(['db'])).toEqual([]); // only the groups asked for
  expect(calls).toEqual([]); // checking changes nothing
});

test('checks run in parallel, each bounded: one that overruns fails with the bound and sees its signal abort', async () => {
  await using s = await provisioned(await newStateFile(), specs());
  // Each of these two waits for the other to have started: they finish only if both run at once.
  const dbIn = deferred();
  const otherIn = deferred();
  behaviours.set('db', async () => (dbIn.resolve(undefined), await otherIn.promise, { ok: true as const }));
  behaviours.set('other', async () => (otherIn.resolve(undefined), await dbIn.promise, { ok: true as const }));
  const aborted = deferred<unknown>();
  behaviours.set('app', (ctx) => new Promise<CheckResult>(() => ctx.signal.addEventListener('abort', () => aborted.resolve(true))));
  const unhealthy = await s.checkHealth(undefined, { timeoutMs: 200 });
  expect(unhealthy).toEqual([{ group: 'app', step: 1, provisioner: 'test-health:Checked', reason: 'its check did not answer within 200 ms' }]);
  expect(await aborted.promise).toBe(true);
});

test('repairUnhealthy replaces an unhealthy group with its dependents and leaves the healthy ones alone', async () => {
  await using s = await provisioned(await newStateFile(), specs());
  behaviours.set('db', () => ({ ok: false, reason: 'db is down' }));
  const { unhealthy, replaced } = await s.repairUnhealthy(specs());
  expect(unhealthy.map((u) => [u.group, u.reason])).toEqual([['db', 'db is down']]);
  expect(replaced?.run.ok).toBe(true);
  expect(callIds('shutdown')).toEqual(['app', 'app-plain', 'db']); // the dependent went first
  expect(callIds('startup')).toEqual(['db', 'app-plain', 'app']);
  expect(calls.some((c) => c.id === 'other')).toBe(false);

  behaviours.clear();
  calls.length = 0;
  expect(await s.repairUnhealthy(specs())).toEqual({ unhealthy: [], replaced: undefined });
  expect(calls).toEqual([]);
});

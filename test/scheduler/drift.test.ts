// Scheduler.drift/replace/replaceDrifted against a real state file, with the
// recording provisioners of test/helpers/scheduler.ts.
import { beforeEach, describe, expect, test } from 'vitest';
import { formatDrift, NotSerializableError, Scheduler, type GroupSpec, type Provisioner } from '../../src/index.js';
import { callIds, calls, caught, GwResource, GwStep, newStateFile, provisioned, resetFixtures } from '../helpers/scheduler.js';

beforeEach(resetFixtures);

/** db ← app ← web, and `other` on its own; db is built from `dbId`. */
function chain(dbId = 'db'): GroupSpec[] {
  return [
    { name: 'db', provisioners: () => [new GwStep(dbId)] },
    { name: 'app', dependsOn: ['db'], provisioners: () => [new GwStep('app')] },
    { name: 'web', dependsOn: ['app'], provisioners: () => [new GwStep('web')] },
    { name: 'other', provisioners: () => [new GwStep('other')] },
  ];
}

class NotRegistered implements Provisioner {
  name = '';
  startup() {
    return true;
  }
  shutdown() {
    return true;
  }
  report() {
    return [];
  }
}

describe('drift', () => {
  test('reports changed fields, a changed class, and added and removed steps, in plan style', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, [
      { name: 'db', provisioners: () => [new GwStep('db')] },
      { name: 'app', provisioners: () => [new GwStep('a1'), new GwStep('a2')] },
      { name: 'web', provisioners: () => [new GwStep('w1')] },
    ]);

    const drift = s.drift([
      { name: 'db', provisioners: () => [new GwStep('db', true)] },
      { name: 'app', provisioners: () => [new GwResource('a1')] },
      { name: 'web', provisioners: () => [new GwStep('w1'), new GwStep('w2')] },
      { name: 'new', provisioners: () => [new GwStep('n')] }, // not in the state: nothing to compare
    ]);

    expect(drift.map(formatDrift)).toEqual([
      ['db: GwStep.pause: false → true'],
      ['app: step 1 class changed: GwStep → GwResource', 'app: step 2 removed: GwStep'],
      ['web: step 2 added: GwStep'],
    ]);
    expect(drift[0]).toEqual({
      group: 'db',
      changes: [{ kind: 'field', step: 0, class: 'GwStep', field: 'pause', before: 'false', after: 'true' }],
    });
  });

  test('fields a startup set do not count; the fingerprint survives reopening the state file', async () => {
    const file = await newStateFile();
    const specs: GroupSpec[] = [{ name: 'res', provisioners: () => [new GwResource('r')] }];
    {
      await using s = await provisioned(file, specs);
      // The saved object now holds resourceId "res-r"; the config still builds it with null.
      expect(s.drift(specs)).toEqual([]);
    }
    await using reopened = await Scheduler.open({ stateFile: file });
    expect(reopened.drift(specs)).toEqual([]);
    expect(reopened.drift([{ name: 'res', provisioners: () => [new GwResource('r2')] }]).map(formatDrift)).toEqual([
      ['res: GwResource.id: "r" → "r2"'],
    ]);
  });
});

describe('replace', () => {
  test('deprovisions the group and its dependents (dependents first), then provisions them again in dependency order', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, chain(), 1);

    const result = await s.replace(['db'], chain('db-v2'));

    expect(callIds('shutdown')).toEqual(['web', 'app', 'db']);
    expect(callIds('startup')).toEqual(['db-v2', 'app', 'web']);
    expect(calls.map((c) => c.op)).toEqual(['shutdown', 'shutdown', 'shutdown', 'startup', 'startup', 'startup']);
    expect(result.run.ok).toBe(true);
    expect(result.deprovisioned).toEqual(['web', 'app', 'db']);
    expect(result.rescheduled.sort()).toEqual(['app', 'db', 'web']);
    expect(result.dropped).toEqual([]);
    expect(s.output('db')).toEqual({ from: 'db-v2' });
    expect(s.drift(chain('db-v2'))).toEqual([]);
  });

  test('replaceDrifted replaces only the drifted groups; a dependent without a spec is deprovisioned and not rebuilt', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, chain(), 1);
    const [db, app, , other] = chain('db-v2');

    const { drift, replaced } = await s.replaceDrifted([db!, app!, other!]);

    expect(drift.map((d) => d.group)).toEqual(['db']);
    expect(replaced?.dropped).toEqual(['web']);
    expect(callIds('shutdown')).toEqual(['web', 'app', 'db']);
    expect(callIds('startup')).toEqual(['db-v2', 'app']);
    expect(s.groups().sort()).toEqual(['app', 'db', 'other']);

    calls.length = 0;
    expect(await s.replaceDrifted(chain('db-v2'))).toEqual({ drift: [], replaced: undefined });
    expect(calls).toEqual([]);
  });

  test('checks the new provisioners before deprovisioning anything', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, chain());

    const error = await caught(
      s.replace(['app'], [{ name: 'app', dependsOn: ['db'], provisioners: () => [new NotRegistered()] }, ...chain().slice(2)]),
    );

    expect(error).toBeInstanceOf(NotSerializableError);
    expect(calls).toEqual([]);
    expect(s.status().map((g) => [g.name, g.state])).toEqual([
      ['db', 'provisioned'],
      ['app', 'provisioned'],
      ['web', 'provisioned'],
      ['other', 'provisioned'],
    ]);
  });
});

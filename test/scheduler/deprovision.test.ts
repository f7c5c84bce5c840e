import { beforeEach, describe, expect, test } from 'vitest';
import { ErrorCode, GroupFailedError, HasDependentsError, Scheduler, ShutdownFailedError, UnknownGroupError } from '../../src/index.js';
import { readStateFile } from '../../src/state/file-store.js';
import {
  callIds,
  calls,
  caught,
  clearFault,
  fault,
  GwResource,
  GwStep,
  newStateFile,
  provisioned,
  recordEvents,
  resetFixtures,
  steps,
} from '../helpers/scheduler.js';

beforeEach(resetFixtures);

describe('deprovision', () => {
  test('runs the shutdowns in reverse order and removes the group from the state', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, [
      { name: 'g', provisioners: steps('g', 3) },
      { name: 'other', provisioners: [new GwStep('o1')] },
    ]);
    const events = recordEvents(s);

    expect(await s.deprovision('g')).toEqual([]);

    expect(callIds('shutdown')).toEqual(['g3', 'g2', 'g1']);
    expect(calls.map((c) => c.step)).toEqual([2, 1, 0]);
    expect(s.groups()).toEqual(['other']);
    const data = await readStateFile(file);
    expect(Object.keys(data?.groups ?? {})).toEqual(['other']);
    expect(data?.groups.other?.state).toBe('provisioned');
    expect(events.map((e) => e.event)).toEqual([
      'deprovision:start',
      'shutdown:start',
      'shutdown:finish',
      'shutdown:start',
      'shutdown:finish',
      'shutdown:start',
      'shutdown:finish',
      'deprovision:finish',
    ]);
    expect(() => s.output('g')).toThrow(UnknownGroupError);
  });

  test('several groups at once go dependents first; one left out that depends on them is refused', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, [
      { name: 'a', provisioners: [new GwStep('a1')] },
      { name: 'b', dependsOn: ['a'], provisioners: [new GwStep('b1')] },
      { name: 'c', dependsOn: ['b'], provisioners: [new GwStep('c1')] },
    ]);

    const refused = await caught(s.deprovision(['a', 'b']));
    expect(refused).toBeInstanceOf(HasDependentsError);
    expect((refused as HasDependentsError).dependents).toEqual(['c']);
    expect(callIds('shutdown')).toEqual([]);

    // Listed dependencies first: the order comes from the graph, not the list.
    expect(await s.deprovision(['a', 'b', 'c'])).toEqual([]);
    expect(callIds('shutdown')).toEqual(['c1', 'b1', 'a1']);
    expect(s.groups()).toEqual([]);
  });

  test('a shutdown sees the fields its startup saved', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, [{ name: 'r', provisioners: [new GwResource('res')] }]);
    await s.deprovision('r');
    expect(calls).toEqual([{ op: 'shutdown', id: 'res', group: 'r', step: 0, resourceId: 'res-res' }]);
  });

  test('is refused with HasDependentsError while a dependent is in the state', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, [
      { name: 'db', provisioners: [new GwStep('db1')] },
      { name: 'api', provisioners: [new GwStep('api1')], dependsOn: ['db'] },
      { name: 'worker', provisioners: [new GwStep('wk1')], dependsOn: ['db'] },
    ]);

    const error = await caught(s.deprovision('db'));

    expect(error).toBeInstanceOf(HasDependentsError);
    const e = error as HasDependentsError;
    expect(e.code).toBe(ErrorCode.HasDependents);
    expect([...e.dependents].sort()).toEqual(['api', 'worker']);
    expect(e.message).toContain('"api"');
    expect(e.message).toContain('"worker"');
    expect(e.message).toContain('"db"');
    expect(calls).toEqual([]);
    expect((await readStateFile(file))?.groups.db?.state).toBe('provisioned');

    // Once the dependents are gone it goes through.
    await s.deprovision('api');
    await expect(s.deprovision('db')).rejects.toBeInstanceOf(HasDependentsError);
    await s.deprovision('worker');
    await s.deprovision('db');
    expect(s.groups()).toEqual([]);
  });

  test('a dependent that never provisioned (blocked) still counts as a dependent', async () => {
    const file = await newStateFile();
    await using s = await Scheduler.open({ stateFile: file });
    await s.scheduleAll([
      { name: 'a', provisioners: [new GwStep('a1')] },
      { name: 'b', provisioners: [new GwStep('b1')], dependsOn: ['a'] },
    ]);
    fault('startup', 'a1', { throws: 'nope' });
    await s.run();
    const error = await caught(s.deprovision('a'));
    expect(error).toBeInstanceOf(HasDependentsError);
    expect((error as HasDependentsError).dependents).toEqual(['b']);
    expect(calls.filter((c) => c.op === 'shutdown')).toEqual([]);
    expect(s.groups()).toEqual(['a', 'b']);
  });

  test('cascade deprovisions the dependents first, then the group, and leaves the rest', async () => {
    const file = await newStateFile();
    // db <- api <- web, db <- worker; cache is unrelated.
    await using s = await provisioned(file, [
      { name: 'db', provisioners: [new GwStep('db1'), new GwStep('db2')] },
      { name: 'api', provisioners: [new GwStep('api1')], dependsOn: ['db'] },
      { name: 'web', provisioners: [new GwStep('web1')], dependsOn: ['api'] },
      { name: 'worker', provisioners: [new GwStep('wk1')], dependsOn: ['db'] },
      { name: 'cache', provisioners: [new GwStep('cache1')] },
    ]);

    expect(await s.deprovision('db', { cascade: true })).toEqual([]);

    const order = callIds('shutdown');
    expect([...order].sort()).toEqual(['api1', 'db1', 'db2', 'web1', 'wk1']);
    expect(order.indexOf('web1')).toBeLessThan(order.indexOf('api1'));
    expect(order.indexOf('api1')).toBeLessThan(order.indexOf('db2'));
    expect(order.indexOf('wk1')).toBeLessThan(order.indexOf('db2'));
    expect(order.slice(-2)).toEqual(['db2', 'db1']);
    expect(s.groups()).toEqual(['cache']);
    expect(Object.keys((await readStateFile(file))?.groups ?? {})).toEqual(['cache']);
  });

  test('cascade from a middle group leaves its dependencies', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, [
      { name: 'db', provisioners: [new GwStep('db1')] },
      { name: 'api', provisioners: [new GwStep('api1')], dependsOn: ['db'] },
      { name: 'web', provisioners: [new GwStep('web1')], dependsOn: ['api'] },
    ]);
    await s.deprovision('api', { cascade: true });
    expect(callIds('shutdown')).toEqual(['web1', 'api1']);
    expect(s.groups()).toEqual(['db']);
  });

  test('a cascade that fails to shut a dependent down stops before the group and rejects', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, [
      { name: 'db', provisioners: [new GwStep('db1')] },
      { name: 'api', provisioners: [new GwStep('api1')], dependsOn: ['db'] },
    ]);
    fault('shutdown', 'api1', { throws: 'busy' });
    const error = await caught(s.deprovision('db', { cascade: true }));
    expect(error).toBeInstanceOf(GroupFailedError);
    expect((error as GroupFailedError).message).toContain('busy');
    expect(callIds('shutdown')).toEqual(['api1']);
    const data = await readStateFile(file);
    expect(data?.groups.api?.state).toBe('failed');
    expect(data?.groups.db?.state).toBe('provisioned');
  });

  test('rejects an unknown group', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await expect(s.deprovision('ghost')).rejects.toBeInstanceOf(UnknownGroupError);
  });
});

describe('failing shutdowns', () => {
  const failures = [
    ['throws', { throws: 'volume busy' }, 'volume busy'],
    ['returns false', { returns: false }, 'returned false'],
    ['returns 0', { returns: 0 }, 'returned 0'],
    ['returns an empty string', { returns: '' }, 'from shutdown()'],
    ['returns null', { returns: null }, 'returned null'],
    ['returns undefined', { returns: undefined }, 'returned undefined'],
  ] as const;

  test.each(failures)('a shutdown that %s, without force, leaves the group failed and rejects', async (_label, what, text) => {
    const file = await newStateFile();
    await using s = await provisioned(file, [{ name: 'g', provisioners: steps('g', 3) }]);
    fault('shutdown', 'g2', what);

    const error = await caught(s.deprovision('g'));

    expect(error).toBeInstanceOf(ShutdownFailedError);
    const e = error as ShutdownFailedError;
    expect(e.code).toBe(ErrorCode.ShutdownFailed);
    expect(e.group).toBe('g');
    expect(e.step).toBe(1);
    expect(e.message).toContain('Group "g" step 2 (GwStep)');
    expect(e.message).toContain(text);
    // It stopped at the failure: step 1 was not shut down.
    expect(callIds('shutdown')).toEqual(['g3', 'g2']);
    expect(s.groups()).toEqual(['g']);
    const saved = (await readStateFile(file))?.groups.g;
    expect(saved?.state).toBe('failed');
    expect(saved?.error?.message).toBe(e.message);
    expect(saved?.error?.code).toBe(ErrorCode.ShutdownFailed);
    expect(saved?.steps.map((st) => st.state)).toEqual(['done', 'stop-failed', 'stopped']);
  });

  test('after a failed deprovision, a second one finishes the job without repeating done shutdowns', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, [{ name: 'g', provisioners: steps('g', 3) }]);
    fault('shutdown', 'g2', { throws: 'volume busy' });
    await expect(s.deprovision('g')).rejects.toBeInstanceOf(ShutdownFailedError);
    clearFault('shutdown', 'g2');
    calls.length = 0;
    expect(await s.deprovision('g')).toEqual([]);
    expect(callIds('shutdown')).toEqual(['g2', 'g1']);
    expect(s.groups()).toEqual([]);
    expect((await readStateFile(file))?.groups).toEqual({});
  });

  test('with force it goes on through the other shutdowns, removes the group and returns the failures', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, [{ name: 'g', provisioners: steps('g', 4) }]);
    fault('shutdown', 'g3', { throws: 'volume busy' });
    fault('shutdown', 'g1', { returns: false });
    const events = recordEvents(s);

    const failures = await s.deprovision('g', { force: true });

    expect(callIds('shutdown')).toEqual(['g4', 'g3', 'g2', 'g1']);
    expect(failures).toHaveLength(2);
    expect(failures.every((f) => f instanceof ShutdownFailedError)).toBe(true);
    expect(failures.map((f) => [f.group, f.step])).toEqual([
      ['g', 2],
      ['g', 0],
    ]);
    expect(failures[0]?.message).toContain('volume busy');
    expect((failures[0]?.cause as Error).message).toBe('volume busy');
    expect(failures[1]?.message).toContain('returned false');
    expect(s.groups()).toEqual([]);
    expect((await readStateFile(file))?.groups).toEqual({});
    expect(events.filter((e) => e.event === 'shutdown:fail').map((e) => (e.payload as { forced: boolean }).forced)).toEqual([true, true]);
    const finish = events.find((e) => e.event === 'deprovision:finish')?.payload as { failures: Error[] };
    expect(finish.failures).toEqual(failures);
  });

  test('steps that never started are not shut down; the failed step is', async () => {
    const file = await newStateFile();
    await using s = await Scheduler.open({ stateFile: file });
    await s.schedule('g', steps('g', 3));
    fault('startup', 'g2', { throws: 'no capacity' });
    expect((await s.run()).ok).toBe(false);
    expect((await readStateFile(file))?.groups.g?.steps.map((st) => st.state)).toEqual(['done', 'failed', 'pending']);

    expect(await s.deprovision('g')).toEqual([]);

    expect(callIds('shutdown')).toEqual(['g2', 'g1']);
    expect(s.groups()).toEqual([]);
  });

  test('a group blocked before it ever started is deprovisioned without any shutdown', async () => {
    const file = await newStateFile();
    await using s = await Scheduler.open({ stateFile: file });
    await s.scheduleAll([
      { name: 'a', provisioners: [new GwStep('a1')] },
      { name: 'b', provisioners: steps('b', 2), dependsOn: ['a'] },
    ]);
    fault('startup', 'a1', { throws: 'nope' });
    await s.run();
    expect(s.status().find((g) => g.name === 'b')?.state).toBe('blocked');
    await s.deprovision('b');
    expect(callIds('shutdown')).toEqual([]);
    await s.deprovision('a');
    expect(callIds('shutdown')).toEqual(['a1']);
    expect(s.groups()).toEqual([]);
  });
});

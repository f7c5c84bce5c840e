import { existsSync } from 'node:fs';
import { beforeEach, describe, expect, test } from 'vitest';
import { ErrorCode, GraphError, Scheduler } from '../../src/index.js';
import { topologicalOrder } from '../../src/scheduler/graph.js';
import { readStateFile } from '../../src/state/file-store.js';
import { callIds, caught, GwStep, newStateFile, resetFixtures } from '../helpers/scheduler.js';

beforeEach(resetFixtures);

/** The groups in the state file (none if it was never written). */
async function savedGroups(file: string): Promise<string[]> {
  return Object.keys((await readStateFile(file))?.groups ?? {});
}

describe('scheduleAll validation', () => {
  test('rejects a cycle with a GraphError naming the cycle, and writes nothing', async () => {
    const file = await newStateFile();
    await using s = await Scheduler.open({ stateFile: file });
    const error = await caught(
      s.scheduleAll([
        { name: 'ok', provisioners: [new GwStep('ok1')] },
        { name: 'a', provisioners: [new GwStep('a1')], dependsOn: ['b'] },
        { name: 'b', provisioners: [new GwStep('b1')], dependsOn: ['c'] },
        { name: 'c', provisioners: [new GwStep('c1')], dependsOn: ['a', 'ok'] },
      ]),
    );
    expect(error).toBeInstanceOf(GraphError);
    const e = error as GraphError;
    expect(e.code).toBe(ErrorCode.Graph);
    expect(e.message).toContain('a -> b -> c -> a');
    expect(e.cycle).toEqual(['a', 'b', 'c', 'a']);
    // Nothing was scheduled, not even the valid group: one atomic write or none.
    expect(s.groups()).toEqual([]);
    expect(await savedGroups(file)).toEqual([]);
  });

  test('a cycle found from another starting point still names a closed path', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    const error = (await caught(
      s.scheduleAll([
        { name: 'x', provisioners: [new GwStep('x1')], dependsOn: ['y'] },
        { name: 'y', provisioners: [new GwStep('y1')], dependsOn: ['x'] },
      ]),
    )) as GraphError;
    expect(error).toBeInstanceOf(GraphError);
    expect(error.message).toContain('x -> y -> x');
    expect(error.cycle).toEqual(['x', 'y', 'x']);
  });

  test('rejects an unknown dependency, naming it, and writes nothing', async () => {
    const file = await newStateFile();
    await using s = await Scheduler.open({ stateFile: file });
    const error = await caught(
      s.scheduleAll([
        { name: 'a', provisioners: [new GwStep('a1')] },
        { name: 'b', provisioners: [new GwStep('b1')], dependsOn: ['a', 'ghost'] },
      ]),
    );
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).message).toContain('"b"');
    expect((error as GraphError).message).toContain('"ghost"');
    expect(s.groups()).toEqual([]);
    expect(await savedGroups(file)).toEqual([]);
  });

  test('rejects a self-dependency, and writes nothing', async () => {
    const file = await newStateFile();
    await using s = await Scheduler.open({ stateFile: file });
    const error = await caught(s.scheduleAll([{ name: 'me', provisioners: [new GwStep('me1')], dependsOn: ['me'] }]));
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).message).toContain('"me" depends on itself');
    expect(s.groups()).toEqual([]);
    expect(await savedGroups(file)).toEqual([]);
  });

  test('a rejected scheduleAll leaves earlier groups as they were', async () => {
    const file = await newStateFile();
    await using s = await Scheduler.open({ stateFile: file });
    await s.schedule('base', [new GwStep('base1')]);
    await expect(
      s.scheduleAll([
        { name: 'p', provisioners: [new GwStep('p1')], dependsOn: ['base', 'q'] },
        { name: 'q', provisioners: [new GwStep('q1')], dependsOn: ['p'] },
      ]),
    ).rejects.toBeInstanceOf(GraphError);
    expect(s.groups()).toEqual(['base']);
    expect(await savedGroups(file)).toEqual(['base']);
  });

  test('dependencies may be listed in any order and on groups already in the state', async () => {
    const file = await newStateFile();
    await using s = await Scheduler.open({ stateFile: file });
    await s.schedule('db', [new GwStep('db1')]);
    expect(
      await s.scheduleAll([
        { name: 'web', provisioners: [new GwStep('web1')], dependsOn: ['api'] },
        { name: 'api', provisioners: [new GwStep('api1')], dependsOn: ['db'] },
      ]),
    ).toEqual(['web', 'api']);
    expect(await savedGroups(file)).toEqual(['db', 'web', 'api']);
    expect((await s.run()).ok).toBe(true);
    expect(callIds('startup')).toEqual(['db1', 'api1', 'web1']);
  });
});

describe('schedule', () => {
  test('is idempotent by name: a second call returns false and keeps the original provisioners', async () => {
    const file = await newStateFile();
    await using s = await Scheduler.open({ stateFile: file });
    expect(await s.schedule('g', [new GwStep('first1'), new GwStep('first2')])).toBe(true);
    const before = (await readStateFile(file))?.groups.g;
    expect(await s.schedule('g', [new GwStep('second1')])).toBe(false);
    expect(s.groups()).toEqual(['g']);
    expect((await readStateFile(file))?.groups.g).toEqual(before);
    expect(s.status()[0]?.steps.map((st) => st.report[0])).toEqual(['step first1', 'step first2']);

    expect((await s.run()).ok).toBe(true);
    expect(callIds('startup')).toEqual(['first1', 'first2']);
    expect(s.output('g')).toEqual({ from: 'first2' });
  });

  test('a second call with other dependencies changes nothing either', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.schedule('a', [new GwStep('a1')]);
    await s.schedule('b', [new GwStep('b1')]);
    expect(await s.schedule('b', [new GwStep('b2')], { dependsOn: ['a'] })).toBe(false);
    expect(s.status().find((g) => g.name === 'b')?.dependsOn).toEqual([]);
  });

  test('scheduleAll skips groups already in the state and returns only the added names', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.schedule('a', [new GwStep('a-orig')]);
    expect(
      await s.scheduleAll([
        { name: 'a', provisioners: [new GwStep('a-new')] },
        { name: 'b', provisioners: [new GwStep('b1')], dependsOn: ['a'] },
      ]),
    ).toEqual(['b']);
    expect((await s.run()).ok).toBe(true);
    expect(callIds('startup')).toEqual(['a-orig', 'b1']);
  });

  test('schedule with a dependency that is not scheduled is rejected', async () => {
    const file = await newStateFile();
    await using s = await Scheduler.open({ stateFile: file });
    await s.schedule('a', [new GwStep('a1')]);
    const error = await caught(s.schedule('b', [new GwStep('b1')], { dependsOn: ['nope'] }));
    expect(error).toBeInstanceOf(GraphError);
    expect((error as GraphError).message).toContain('"nope"');
    expect(s.groups()).toEqual(['a']);
    expect(await savedGroups(file)).toEqual(['a']);
  });

  test('a rejected first schedule creates no state file content', async () => {
    const file = await newStateFile();
    await using s = await Scheduler.open({ stateFile: file });
    await expect(s.schedule('b', [new GwStep('b1')], { dependsOn: ['b'] })).rejects.toBeInstanceOf(GraphError);
    if (existsSync(file)) expect(await savedGroups(file)).toEqual([]);
    expect(s.groups()).toEqual([]);
  });

  test('graph() draws the scheduled dependencies', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.scheduleAll([
      { name: 'db', provisioners: [new GwStep('db1')] },
      { name: 'web', provisioners: [new GwStep('web1')], dependsOn: ['db'] },
    ]);
    expect(s.graph()).toContain('db["db"] --> web["web"]');
  });
});

describe('topologicalOrder (the order the workers lock group rows in)', () => {
  const edges: Record<string, string[]> = { app: ['db', 'cache'], lb: ['app'], db: [], cache: ['db'], other: [] };
  const deps = (n: string) => edges[n] ?? [];

  test('puts every dependency among the names before its dependents, keeping the given order otherwise', () => {
    expect(topologicalOrder(['lb', 'other', 'app', 'cache', 'db'], deps)).toEqual(['db', 'cache', 'app', 'lb', 'other']);
  });

  test('ignores dependencies outside the names, and stops on a cycle instead of looping', () => {
    expect(topologicalOrder(['lb', 'app'], deps)).toEqual(['app', 'lb']);
    const cyclic: Record<string, string[]> = { a: ['b'], b: ['a'] };
    expect(topologicalOrder(['a', 'b'], (n) => cyclic[n] ?? [])).toEqual(['b', 'a']);
  });

  test('handles a chain of 20,000 groups without deep recursion', () => {
    const chain = (n: string) => (n === 'g0' ? [] : [`g${Number(n.slice(1)) - 1}`]);
    const names = Array.from({ length: 20_000 }, (_, k) => `g${19_999 - k}`);
    expect(topologicalOrder(names, chain).slice(0, 3)).toEqual(['g0', 'g1', 'g2']);
  });
});

import { beforeEach, describe, expect, test } from 'vitest';
import { ShutdownFailedError, UnknownGroupError } from '../../src/index.js';
import { readStateFile } from '../../src/state/file-store.js';
import {
  callIds,
  calls,
  entered,
  fault,
  GwStep,
  hold,
  labels,
  newStateFile,
  provisioned,
  recordEvents,
  resetFixtures,
  steps,
  within,
} from '../helpers/scheduler.js';

beforeEach(resetFixtures);

// a <- b, a <- c, (b, c) <- d
const diamond = () => [
  { name: 'a', provisioners: steps('a', 2) },
  { name: 'b', provisioners: [new GwStep('b1')], dependsOn: ['a'] },
  { name: 'c', provisioners: [new GwStep('c1')], dependsOn: ['a'] },
  { name: 'd', provisioners: [new GwStep('d1')], dependsOn: ['b', 'c'] },
];

describe('teardown', () => {
  test('deprovisions dependents before their dependencies (diamond)', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, diamond());
    const events = recordEvents(s);

    const summary = await s.teardown();

    const order = callIds('shutdown');
    expect([...order].sort()).toEqual(['a1', 'a2', 'b1', 'c1', 'd1']);
    expect(order[0]).toBe('d1');
    expect(order.slice(-2)).toEqual(['a2', 'a1']);
    // Group by group too: d is gone before b or c starts, and both before a.
    const l = labels(events);
    for (const mid of ['b', 'c']) {
      expect(l.indexOf('deprovision:finish:d')).toBeLessThan(l.indexOf(`deprovision:start:${mid}`));
      expect(l.indexOf(`deprovision:finish:${mid}`)).toBeLessThan(l.indexOf('deprovision:start:a'));
    }
    expect(summary.ok).toBe(true);
    expect([...summary.removed].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(summary.failed).toEqual([]);
    expect(summary.kept).toEqual([]);
    expect(summary.forcedFailures).toEqual([]);
    expect(s.groups()).toEqual([]);
    expect((await readStateFile(file))?.groups).toEqual({});
  });

  test('a chain is torn down in reverse even with concurrency 1', async () => {
    const file = await newStateFile();
    await using s = await provisioned(
      file,
      [
        { name: 'x', provisioners: [new GwStep('x1')] },
        { name: 'y', provisioners: [new GwStep('y1')], dependsOn: ['x'] },
        { name: 'z', provisioners: [new GwStep('z1')], dependsOn: ['y'] },
      ],
      1,
    );
    expect((await s.teardown()).ok).toBe(true);
    expect(callIds('shutdown')).toEqual(['z1', 'y1', 'x1']);
  });

  test('independent groups are torn down in parallel', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, [
      { name: 'p', provisioners: [new GwStep('p1')] },
      { name: 'q', provisioners: [new GwStep('q1')] },
    ]);
    const events = recordEvents(s);
    const gateP = hold('shutdown', 'p1');
    const gateQ = hold('shutdown', 'q1');

    const run = s.teardown();
    // Both shutdowns are held open: both can only be entered if they run at once.
    await within(Promise.all([entered('shutdown', 'p1'), entered('shutdown', 'q1')]), 'both shutdowns to be entered while both are held');
    expect(labels(events).filter((l) => l.startsWith('deprovision:finish'))).toEqual([]);
    expect(s.status().map((g) => g.state)).toEqual(['deprovisioning', 'deprovisioning']);
    gateP.resolve();
    gateQ.resolve();

    const summary = await run;
    expect(summary.ok).toBe(true);
    expect(s.groups()).toEqual([]);
  });

  test('a dependency is not shut down while a dependent is still shutting down', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, [
      { name: 'a', provisioners: [new GwStep('a1')] },
      { name: 'b', provisioners: [new GwStep('b1')], dependsOn: ['a'] },
      { name: 'other', provisioners: [new GwStep('o1')] },
    ]);
    const gate = hold('shutdown', 'b1');
    const events = recordEvents(s);
    const otherDone = new Promise<void>((resolve) => s.on('deprovision:finish', (p) => p.group === 'other' && resolve()));

    const run = s.teardown();
    await within(entered('shutdown', 'b1'), 'the shutdown of b');
    // "other" was started in the same pass as "a" would have been: once it is gone, "a" would have started.
    await within(otherDone, 'other to be deprovisioned');
    expect(labels(events)).not.toContain('deprovision:start:a');
    expect(callIds('shutdown')).not.toContain('a1');
    gate.resolve();
    expect((await run).ok).toBe(true);
    expect(callIds('shutdown').slice(-1)).toEqual(['a1']);
  });

  test('except keeps the excepted group and what it depends on', async () => {
    const file = await newStateFile();
    // base <- mid <- top; mid2 depends on base too; lone is independent.
    await using s = await provisioned(file, [
      { name: 'base', provisioners: [new GwStep('base1')] },
      { name: 'mid', provisioners: [new GwStep('mid1')], dependsOn: ['base'] },
      { name: 'top', provisioners: [new GwStep('top1')], dependsOn: ['mid'] },
      { name: 'mid2', provisioners: [new GwStep('mid2a')], dependsOn: ['base'] },
      { name: 'lone', provisioners: [new GwStep('lone1')] },
    ]);

    const summary = await s.teardown({ except: ['mid'] });

    expect([...callIds('shutdown')].sort()).toEqual(['lone1', 'mid2a', 'top1']);
    expect(summary.ok).toBe(true);
    expect([...summary.removed].sort()).toEqual(['lone', 'mid2', 'top']);
    expect([...summary.kept].sort()).toEqual(['base', 'mid']);
    expect(s.groups()).toEqual(['base', 'mid']);
    const data = await readStateFile(file);
    expect(Object.keys(data?.groups ?? {})).toEqual(['base', 'mid']);
    expect(data?.groups.base?.state).toBe('provisioned');
    expect(data?.groups.mid?.state).toBe('provisioned');
  });

  test('except with an unknown group is refused before anything is shut down', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, [{ name: 'a', provisioners: [new GwStep('a1')] }]);
    await expect(s.teardown({ except: ['ghost'] })).rejects.toBeInstanceOf(UnknownGroupError);
    expect(calls).toEqual([]);
    expect(s.groups()).toEqual(['a']);
  });

  test('a failing shutdown without force keeps its dependencies and the summary says which failed', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, [...diamond(), { name: 'lone', provisioners: [new GwStep('lone1')] }]);
    fault('shutdown', 'b1', { throws: 'still draining' });

    const summary = await s.teardown();

    expect(summary.ok).toBe(false);
    expect(summary.failed).toHaveLength(1);
    expect(summary.failed[0]?.group).toBe('b');
    expect(summary.failed[0]?.error).toContain('Group "b" step 1 (GwStep)');
    expect(summary.failed[0]?.error).toContain('still draining');
    expect([...summary.removed].sort()).toEqual(['c', 'd', 'lone']);
    expect(summary.kept).toEqual(['a']);
    expect(summary.forcedFailures).toEqual([]);
    // a depends under b, so it was never shut down.
    expect(callIds('shutdown')).not.toContain('a1');
    expect(callIds('shutdown')).not.toContain('a2');
    expect(s.groups()).toEqual(['a', 'b']);
    const data = await readStateFile(file);
    expect(data?.groups.a?.state).toBe('provisioned');
    expect(data?.groups.b?.state).toBe('failed');
    expect(data?.groups.b?.error?.message).toContain('still draining');
  });

  test('with force a failing shutdown is gone past and everything is removed', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, diamond());
    fault('shutdown', 'b1', { returns: false });

    const summary = await s.teardown({ force: true });

    expect(summary.ok).toBe(true);
    expect([...summary.removed].sort()).toEqual(['a', 'b', 'c', 'd']);
    expect(summary.failed).toEqual([]);
    expect(summary.forcedFailures).toHaveLength(1);
    expect(summary.forcedFailures[0]).toBeInstanceOf(ShutdownFailedError);
    expect(summary.forcedFailures[0]?.group).toBe('b');
    expect(callIds('shutdown').slice(-2)).toEqual(['a2', 'a1']);
    expect((await readStateFile(file))?.groups).toEqual({});
  });

  test('a second teardown after fixing the failure removes the rest', async () => {
    const file = await newStateFile();
    await using s = await provisioned(file, diamond());
    fault('shutdown', 'd1', { throws: 'stuck' });
    const first = await s.teardown();
    expect(first.failed.map((f) => f.group)).toEqual(['d']);
    expect([...first.kept].sort()).toEqual(['a', 'b', 'c']);
    expect(callIds('shutdown')).toEqual(['d1']);

    resetFixtures();
    const second = await s.teardown();
    expect(second.ok).toBe(true);
    expect(callIds('shutdown')[0]).toBe('d1');
    expect(s.groups()).toEqual([]);
  });
});

import { beforeEach, describe, expect, test } from 'vitest';
import { Scheduler, UnknownGroupError } from '../../src/index.js';
import {
  callIds,
  calls,
  entered,
  flight,
  GwStep,
  hold,
  labels,
  newStateFile,
  nextEvent,
  recordEvents,
  resetFixtures,
  within,
} from '../helpers/scheduler.js';

beforeEach(resetFixtures);

/** Largest number of groups between their group:start and group:finish/fail at once. */
function trackGroupsInFlight(s: Scheduler): { max: number } {
  const seen = { max: 0 };
  let now = 0;
  s.on('group:start', () => {
    now++;
    seen.max = Math.max(seen.max, now);
  });
  s.on('group:finish', () => now--);
  s.on('group:fail', () => now--);
  return seen;
}

describe('dependencies', () => {
  test('a dependent does not start while its dependency is still provisioning', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile(), concurrency: 4 });
    // If "app" ignored its dependency it would be started together with
    // "side" (in the same pass), and a group's group:start comes after one
    // state write while its group:finish needs several more: so once "side"
    // has finished, "app" would have started.
    await s.scheduleAll([
      { name: 'db', provisioners: [new GwStep('db1')] },
      { name: 'app', provisioners: [new GwStep('app1')], dependsOn: ['db'] },
      { name: 'side', provisioners: [new GwStep('side1')] },
    ]);
    const events = recordEvents(s);
    const gate = hold('startup', 'db1');
    const sideDone = nextEvent(s, 'group:finish', (p) => p.group === 'side');

    const run = s.run();
    await within(entered('startup', 'db1'), 'the startup of db');
    await within(sideDone, 'side to finish');

    expect(labels(events)).not.toContain('group:start:app');
    expect(labels(events)).not.toContain('step:start:app:0');
    expect(callIds('startup')).not.toContain('app1');
    expect(s.status().find((g) => g.name === 'app')?.state).toBe('pending');
    expect(s.status().find((g) => g.name === 'db')?.state).toBe('provisioning');

    gate.resolve();
    const summary = await run;
    expect(summary.ok).toBe(true);
    const order = labels(events);
    expect(order.indexOf('group:finish:db')).toBeGreaterThanOrEqual(0);
    expect(order.indexOf('group:finish:db')).toBeLessThan(order.indexOf('group:start:app'));
    const startups = callIds('startup');
    expect(startups).toHaveLength(3);
    expect(startups.indexOf('db1')).toBeLessThan(startups.indexOf('app1'));
  });

  test('a group with two dependencies waits for both, not just the first to finish', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile(), concurrency: 8 });
    await s.scheduleAll([
      { name: 'a', provisioners: [new GwStep('a1')] },
      { name: 'b', provisioners: [new GwStep('b1')] },
      { name: 'both', provisioners: [new GwStep('both1')], dependsOn: ['a', 'b'] },
      // Released by "a" alone: if "a" were enough for "both", "both" would
      // be started in the same pass, so it would have started once this finished.
      { name: 'onlyA', provisioners: [new GwStep('onlyA1')], dependsOn: ['a'] },
    ]);
    const events = recordEvents(s);
    const gate = hold('startup', 'b1');
    const onlyADone = nextEvent(s, 'group:finish', (p) => p.group === 'onlyA');

    const run = s.run();
    await within(entered('startup', 'b1'), 'the startup of b');
    await within(onlyADone, 'onlyA to finish');
    expect(labels(events)).not.toContain('group:start:both');
    expect(callIds('startup')).not.toContain('both1');

    gate.resolve();
    expect((await run).ok).toBe(true);
    const order = labels(events);
    expect(order.indexOf('group:finish:a')).toBeLessThan(order.indexOf('group:start:both'));
    expect(order.indexOf('group:finish:b')).toBeLessThan(order.indexOf('group:start:both'));
  });

  test('a chain runs strictly in dependency order', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile(), concurrency: 8 });
    // Scheduled dependents-first on purpose; each call to schedule needs its dependency known.
    await s.scheduleAll([
      { name: 'c', provisioners: [new GwStep('c1')], dependsOn: ['b'] },
      { name: 'b', provisioners: [new GwStep('b1')], dependsOn: ['a'] },
      { name: 'a', provisioners: [new GwStep('a1')] },
    ]);
    const events = recordEvents(s);
    expect((await s.run()).ok).toBe(true);
    expect(callIds('startup')).toEqual(['a1', 'b1', 'c1']);
    const order = labels(events).filter((l) => l.startsWith('group:'));
    expect(order).toEqual(['group:start:a', 'group:finish:a', 'group:start:b', 'group:finish:b', 'group:start:c', 'group:finish:c']);
  });
});

describe('run targets', () => {
  test('run({ groups }) provisions those groups and their dependencies only', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.scheduleAll([
      { name: 'db', provisioners: [new GwStep('db1')] },
      { name: 'api', provisioners: [new GwStep('api1')], dependsOn: ['db'] },
      { name: 'web', provisioners: [new GwStep('web1')], dependsOn: ['api'] },
      { name: 'batch', provisioners: [new GwStep('batch1')] },
    ]);
    const summary = await s.run({ groups: ['api'] });
    expect(summary.ok).toBe(true);
    expect(summary.groups.map((g) => g.group)).toEqual(['db', 'api']);
    expect(callIds('startup')).toEqual(['db1', 'api1']);
    expect(s.status().map((g) => [g.name, g.state])).toEqual([
      ['db', 'provisioned'],
      ['api', 'provisioned'],
      ['web', 'pending'],
      ['batch', 'pending'],
    ]);
    // A later full run skips what is provisioned.
    calls.length = 0;
    expect((await s.run()).ok).toBe(true);
    expect([...callIds('startup')].sort()).toEqual(['batch1', 'web1']);
  });

  test('run({ groups }) with an unknown group is refused before anything runs', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.schedule('a', [new GwStep('a1')]);
    await expect(s.run({ groups: ['a', 'ghost'] })).rejects.toBeInstanceOf(UnknownGroupError);
    expect(calls).toEqual([]);
  });
});

describe('pipeline', () => {
  test('each startup receives the previous return; the first gets null', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.schedule('g', [new GwStep('p1'), new GwStep('p2'), new GwStep('p3')]);
    expect((await s.run()).ok).toBe(true);
    expect(calls.map((c) => [c.id, c.step, c.input])).toEqual([
      ['p1', 0, null],
      ['p2', 1, { from: 'p1' }],
      ['p3', 2, { from: 'p2' }],
    ]);
    expect(s.output('g')).toEqual({ from: 'p3' });
  });

  test('steps of one group run one after another', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.schedule('g', [new GwStep('q1'), new GwStep('q2')]);
    const gate = hold('startup', 'q1');
    const events = recordEvents(s);
    const run = s.run();
    await within(entered('startup', 'q1'), 'the first startup');
    expect(callIds('startup')).toEqual(['q1']);
    gate.resolve();
    expect((await run).ok).toBe(true);
    const order = labels(events);
    expect(order.indexOf('step:finish:g:0')).toBeLessThan(order.indexOf('step:start:g:1'));
  });
});

describe('concurrency', () => {
  const five = () => ['g1', 'g2', 'g3', 'g4', 'g5'].map((name) => ({ name, provisioners: [new GwStep(`${name}-s`, true)] }));

  test('concurrency 1 provisions one group at a time', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile(), concurrency: 1 });
    await s.scheduleAll(five());
    const groups = trackGroupsInFlight(s);
    const events = recordEvents(s);
    expect((await s.run()).ok).toBe(true);
    expect(flight.max).toBe(1);
    expect(groups.max).toBe(1);
    // Strictly start X, finish X, start Y, finish Y... (in some order of the groups).
    const order = events.filter((e) => e.event === 'group:start' || e.event === 'group:finish');
    expect(order).toHaveLength(10);
    for (let i = 0; i < order.length; i += 2) {
      expect([order[i]?.event, order[i + 1]?.event]).toEqual(['group:start', 'group:finish']);
      expect(order[i + 1]?.group).toBe(order[i]?.group);
    }
    expect(new Set(order.map((e) => e.group))).toEqual(new Set(['g1', 'g2', 'g3', 'g4', 'g5']));
  });

  test('a higher concurrency runs independent groups in parallel', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile(), concurrency: 2 });
    await s.scheduleAll([
      { name: 'a', provisioners: [new GwStep('a1')] },
      { name: 'b', provisioners: [new GwStep('b1')] },
    ]);
    const events = recordEvents(s);
    const gateA = hold('startup', 'a1');
    const gateB = hold('startup', 'b1');
    const run = s.run();
    // Both startups are held open: both can only be entered if they run at once.
    await within(Promise.all([entered('startup', 'a1'), entered('startup', 'b1')]), 'both startups to be entered while both are held');
    expect(labels(events).filter((l) => l.startsWith('group:finish'))).toEqual([]);
    expect(flight.now).toBe(2);
    gateB.resolve();
    gateA.resolve();
    expect((await run).ok).toBe(true);
  });

  test('the concurrency limit is respected: 5 independent groups, concurrency 2', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile(), concurrency: 2 });
    await s.scheduleAll(five());
    const groups = trackGroupsInFlight(s);
    const summary = await s.run();
    expect(summary.ok).toBe(true);
    expect(summary.groups.map((g) => g.state)).toEqual(Array(5).fill('provisioned'));
    expect(flight.max).toBe(2);
    expect(groups.max).toBe(2);
  });

  test('control: without a tight limit the same groups overlap (the measurement can see it)', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile(), concurrency: 8 });
    await s.scheduleAll(five());
    const groups = trackGroupsInFlight(s);
    expect((await s.run()).ok).toBe(true);
    expect(groups.max).toBeGreaterThan(2);
    expect(flight.max).toBeGreaterThan(2);
  });
});

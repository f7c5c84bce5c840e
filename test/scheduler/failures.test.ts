import { beforeEach, describe, expect, test } from 'vitest';
import { ErrorCode, ProvisionerRegistry, Scheduler, StepFailedError } from '../../src/index.js';
import { readStateFile } from '../../src/state/file-store.js';
import { callIds, calls, clearFault, fault, GwStep, newStateFile, nextEvent, recordEvents, resetFixtures, steps } from '../helpers/scheduler.js';

beforeEach(resetFixtures);

describe('a failing startup', () => {
  test('a throwing startup fails its group with a StepFailedError naming the group, the step and the class', async () => {
    const file = await newStateFile();
    await using s = await Scheduler.open({ stateFile: file });
    await s.schedule('web', [new GwStep('w1'), new GwStep('w2'), new GwStep('w3')]);
    fault('startup', 'w2', { throws: 'port 8080 taken' });
    const failed = nextEvent(s, 'group:fail', (p) => p.group === 'web');
    const stepFailed = nextEvent(s, 'step:fail', (p) => p.group === 'web');

    const summary = await s.run();

    const { error } = await failed;
    expect(error).toBeInstanceOf(StepFailedError);
    const e = error as StepFailedError;
    expect(e.message).toContain('Group "web"');
    expect(e.message).toContain('step 2');
    expect(e.message).toContain('(GwStep)');
    expect(e.message).toContain('port 8080 taken');
    expect(e.code).toBe(ErrorCode.StepFailed);
    expect(e.group).toBe('web');
    expect(e.step).toBe(1);
    expect(e.provisioner).toBe('GwStep');
    expect(e.cause).toBeInstanceOf(Error);
    expect((e.cause as Error).message).toBe('port 8080 taken');
    const sf = await stepFailed;
    expect(sf.step).toBe(1);
    expect(sf.error).toBe(error);

    // The third step never ran.
    expect(callIds('startup')).toEqual(['w1', 'w2']);
    expect(summary.ok).toBe(false);
    expect(summary.groups).toEqual([{ group: 'web', state: 'failed', error: e.message }]);
    expect(s.status()[0]?.state).toBe('failed');
    expect(s.output('web')).toBeUndefined();
  });

  test.each([
    ['false', false, 'returned false'],
    ['0', 0, 'returned 0'],
    ['an empty string', '', 'returned an empty string'],
    ['null', null, 'returned null'],
    ['undefined', undefined, 'returned undefined'],
  ])('a startup returning %s fails its group', async (_label, value, text) => {
    const file = await newStateFile();
    await using s = await Scheduler.open({ stateFile: file });
    await s.schedule('g', [new GwStep('f1'), new GwStep('f2')]);
    fault('startup', 'f1', { returns: value });
    const failed = nextEvent(s, 'group:fail');

    const summary = await s.run();

    const { error } = await failed;
    expect(error).toBeInstanceOf(StepFailedError);
    expect(error.message).toContain('Group "g" step 1 (GwStep)');
    expect(error.message).toContain(text);
    expect(summary.ok).toBe(false);
    expect(summary.groups).toEqual([{ group: 'g', state: 'failed', error: error.message }]);
    expect(callIds('startup')).toEqual(['f1']);
    const saved = (await readStateFile(file))?.groups.g;
    expect(saved?.state).toBe('failed');
    expect(saved?.steps.map((st) => st.state)).toEqual(['failed', 'pending']);
  });
});

describe('the rest of the graph', () => {
  // base <- mid <- top, and base <- side2; lone is independent.
  const graph = () => [
    { name: 'base', provisioners: [new GwStep('base1'), new GwStep('base2'), new GwStep('base3')] },
    { name: 'mid', provisioners: [new GwStep('mid1')], dependsOn: ['base'] },
    { name: 'top', provisioners: [new GwStep('top1')], dependsOn: ['mid'] },
    { name: 'side2', provisioners: [new GwStep('side2a')], dependsOn: ['base', 'lone'] },
    { name: 'lone', provisioners: [new GwStep('lone1'), new GwStep('lone2')] },
  ];

  test('independent groups carry on, dependents (and theirs) end blocked, the summary says so', async () => {
    const file = await newStateFile();
    await using s = await Scheduler.open({ stateFile: file, concurrency: 4 });
    await s.scheduleAll(graph());
    fault('startup', 'base2', { throws: 'disk full' });
    const events = recordEvents(s);

    const summary = await s.run();

    expect(summary.ok).toBe(false);
    expect(summary.aborted).toBe(false);
    const byName = Object.fromEntries(summary.groups.map((g) => [g.group, g]));
    expect(byName.base?.state).toBe('failed');
    expect(byName.base?.error).toMatch(/Group "base" step 2 \(GwStep\) failed: disk full/);
    expect(byName.lone).toEqual({ group: 'lone', state: 'provisioned' });
    expect(byName.mid?.state).toBe('blocked');
    expect(byName.mid?.blockedBy).toEqual(['base']);
    expect(byName.mid?.error).toContain('base');
    expect(byName.top?.state).toBe('blocked');
    expect(byName.top?.blockedBy).toEqual(['mid']);
    // lone is provisioned, so only base is what blocks side2.
    expect(byName.side2?.state).toBe('blocked');
    expect(byName.side2?.blockedBy).toEqual(['base']);
    expect(summary.groups.map((g) => g.group)).toEqual(['base', 'mid', 'top', 'side2', 'lone']);

    // The independent group ran fully; nothing blocked ever started.
    expect(callIds('startup', 'lone')).toEqual(['lone1', 'lone2']);
    expect(s.output('lone')).toEqual({ from: 'lone2' });
    for (const g of ['mid', 'top', 'side2']) {
      expect(callIds('startup', g)).toEqual([]);
      expect(events.some((e) => e.event === 'group:start' && e.group === g)).toBe(false);
    }
    const blockedEvents = events.filter((e) => e.event === 'group:blocked').map((e) => e.payload);
    expect(blockedEvents).toEqual(
      expect.arrayContaining([
        { group: 'mid', blockedBy: ['base'] },
        { group: 'top', blockedBy: ['mid'] },
        { group: 'side2', blockedBy: ['base'] },
      ]),
    );
    expect(blockedEvents).toHaveLength(3);
  });

  test('the failure is recorded in the state file', async () => {
    const file = await newStateFile();
    {
      await using s = await Scheduler.open({ stateFile: file, concurrency: 4 });
      await s.scheduleAll(graph());
      fault('startup', 'base2', { throws: 'disk full' });
      await s.run();
    }
    const data = await readStateFile(file);
    const base = data?.groups.base;
    expect(base?.state).toBe('failed');
    expect(base?.error?.message).toMatch(/Group "base" step 2 \(GwStep\) failed: disk full/);
    expect(base?.error?.code).toBe(ErrorCode.StepFailed);
    expect(base?.error?.step).toBe(1);
    expect(base?.steps.map((st) => st.state)).toEqual(['done', 'failed', 'pending']);
    expect(base?.steps[1]?.error?.message).toContain('disk full');
    expect(base?.finishedAt).toEqual(expect.any(String));
    expect(data?.groups.mid?.state).toBe('blocked');
    expect(data?.groups.mid?.blockedBy).toEqual(['base']);
    expect(data?.groups.top?.state).toBe('blocked');
    expect(data?.groups.top?.blockedBy).toEqual(['mid']);
    expect(data?.groups.lone?.state).toBe('provisioned');
  });

  test('a re-run retries the failed group from the failed step, then provisions the blocked ones', async () => {
    const file = await newStateFile();
    await using s = await Scheduler.open({ stateFile: file, concurrency: 4 });
    await s.scheduleAll(graph());
    fault('startup', 'base2', { throws: 'disk full' });
    expect((await s.run()).ok).toBe(false);

    clearFault('startup', 'base2');
    calls.length = 0;
    const events = recordEvents(s);
    const summary = await s.run();

    expect(summary.ok).toBe(true);
    expect(summary.groups.map((g) => [g.group, g.state])).toEqual([
      ['base', 'provisioned'],
      ['mid', 'provisioned'],
      ['top', 'provisioned'],
      ['side2', 'provisioned'],
      ['lone', 'provisioned'],
    ]);
    for (const g of summary.groups) {
      expect(g.error).toBeUndefined();
      expect(g.blockedBy).toBeUndefined();
    }
    // base resumes at step 2: step 1 is not run again, and step 2 gets step 1's saved output.
    expect(callIds('startup', 'base')).toEqual(['base2', 'base3']);
    expect(calls.find((c) => c.id === 'base2')?.input).toEqual({ from: 'base1' });
    expect(events.find((e) => e.event === 'group:start' && e.group === 'base')?.payload).toEqual({ group: 'base', resumeAt: 1 });
    // The provisioned group is not touched again.
    expect(callIds('startup', 'lone')).toEqual([]);
    expect(callIds('startup').sort()).toEqual(['base2', 'base3', 'mid1', 'side2a', 'top1'].sort());
    const starts = callIds('startup');
    expect(starts.indexOf('base3')).toBeLessThan(starts.indexOf('mid1'));
    expect(starts.indexOf('mid1')).toBeLessThan(starts.indexOf('top1'));

    const data = await readStateFile(file);
    for (const name of ['base', 'mid', 'top', 'side2', 'lone']) {
      expect(data?.groups[name]?.state).toBe('provisioned');
      expect(data?.groups[name]?.error).toBeUndefined();
      expect(data?.groups[name]?.blockedBy).toBeUndefined();
    }
    expect(s.output('top')).toEqual({ from: 'top1' });
  });

  test('a re-run in a new process (scheduler) resumes from the state file alone', async () => {
    const file = await newStateFile();
    {
      await using s = await Scheduler.open({ stateFile: file });
      await s.schedule('g', steps('r', 3));
      fault('startup', 'r3', { throws: 'flaky' });
      expect((await s.run()).ok).toBe(false);
    }
    clearFault('startup', 'r3');
    calls.length = 0;
    await using s2 = await Scheduler.open({ stateFile: file });
    // Scheduling again is a no-op: the saved group is what resumes.
    expect(await s2.schedule('g', steps('other', 1))).toBe(false);
    expect((await s2.run()).ok).toBe(true);
    expect(callIds('startup')).toEqual(['r3']);
    expect(calls[0]?.input).toEqual({ from: 'r2' });
    expect(s2.output('g')).toEqual({ from: 'r3' });
  });
});

test('a pending group whose class is not registered in this process fails, naming the class, and is recorded as failed', async () => {
  const file = await newStateFile();
  {
    await using s = await Scheduler.open({ stateFile: file });
    await s.schedule('web', [new GwStep('w1')]);
  }
  // Another process that never imported the module registering GwStep.
  await using s = await Scheduler.open({ stateFile: file, registry: new ProvisionerRegistry() });
  const summary = await s.run();
  expect(summary.ok).toBe(false);
  expect(summary.groups[0]).toMatchObject({ group: 'web', state: 'failed' });
  expect(summary.groups[0]!.error).toMatch(/class "[^"]+" is not registered in this process/);
  const saved = (await readStateFile(file))!.groups.web!;
  expect([saved.state, saved.steps.map((x) => x.state)]).toEqual(['failed', ['pending']]); // never started
});

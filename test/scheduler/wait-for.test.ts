import { beforeEach, describe, expect, test } from 'vitest';
import { ErrorCode, GroupFailedError, Scheduler, UnknownGroupError } from '../../src/index.js';
import { caught, entered, fault, GwStep, hold, newStateFile, nextEvent, resetFixtures, settledState, within } from '../helpers/scheduler.js';

beforeEach(resetFixtures);

describe('waitFor', () => {
  test('resolves once all the groups are provisioned during a run, not before', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile(), concurrency: 4 });
    await s.scheduleAll([
      { name: 'a', provisioners: [new GwStep('a1')] },
      { name: 'b', provisioners: [new GwStep('b1'), new GwStep('b2')] },
    ]);
    const gate = hold('startup', 'b2');
    const aDone = nextEvent(s, 'group:finish', (p) => p.group === 'a');

    const run = s.run();
    const waited = s.waitFor('a', 'b');
    let stateOfBWhenResolved: string | undefined;
    void waited.then(() => {
      stateOfBWhenResolved = s.status().find((g) => g.name === 'b')?.state;
    });

    await within(aDone, 'a to finish');
    await within(entered('startup', 'b2'), 'the last startup of b');
    expect(await settledState(waited)).toBe('pending');

    gate.resolve();
    await within(waited, 'waitFor to resolve');
    expect(stateOfBWhenResolved).toBe('provisioned');
    expect((await run).ok).toBe(true);
  });

  test('resolves before the run ends when its group is done and another is still held', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile(), concurrency: 4 });
    await s.scheduleAll([
      { name: 'fast', provisioners: [new GwStep('fast1')] },
      { name: 'slow', provisioners: [new GwStep('slow1')] },
    ]);
    const gate = hold('startup', 'slow1');
    const run = s.run();
    await within(s.waitFor('fast'), 'waitFor(fast)');
    expect(await settledState(run)).toBe('pending');
    expect(s.status().find((g) => g.name === 'slow')?.state).toBe('provisioning');
    gate.resolve();
    expect((await run).ok).toBe(true);
  });

  test('rejects at once, while another group is still held, when a target fails', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile(), concurrency: 4 });
    await s.scheduleAll([
      { name: 'bad', provisioners: [new GwStep('bad1')] },
      { name: 'slow', provisioners: [new GwStep('slow1')] },
    ]);
    fault('startup', 'bad1', { throws: 'cannot boot' });
    const gate = hold('startup', 'slow1');

    const run = s.run();
    const error = await within(caught(s.waitFor('bad', 'slow')), 'waitFor to reject');

    expect(error).toBeInstanceOf(GroupFailedError);
    const e = error as GroupFailedError;
    expect(e.code).toBe(ErrorCode.GroupFailed);
    expect(e.group).toBe('bad');
    expect(e.message).toContain('Group "bad" failed');
    expect(e.message).toContain('cannot boot');
    // The run has not ended: slow is still held open.
    expect(await settledState(run)).toBe('pending');
    expect(s.status().find((g) => g.name === 'slow')?.state).toBe('provisioning');

    gate.resolve();
    const summary = await run;
    expect(summary.ok).toBe(false);
    expect(summary.groups.find((g) => g.group === 'slow')?.state).toBe('provisioned');
  });

  test('rejects at once, while another group is still held, when a target is blocked', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile(), concurrency: 4 });
    await s.scheduleAll([
      { name: 'bad', provisioners: [new GwStep('bad1')] },
      { name: 'dep', provisioners: [new GwStep('dep1')], dependsOn: ['bad'] },
      { name: 'slow', provisioners: [new GwStep('slow1')] },
    ]);
    fault('startup', 'bad1', { returns: false });
    const gate = hold('startup', 'slow1');

    const run = s.run();
    const error = await within(caught(s.waitFor('dep')), 'waitFor to reject');

    expect(error).toBeInstanceOf(GroupFailedError);
    expect((error as GroupFailedError).group).toBe('dep');
    expect((error as GroupFailedError).message).toContain('Group "dep" is blocked');
    expect((error as GroupFailedError).message).toContain('bad');
    expect(await settledState(run)).toBe('pending');

    gate.resolve();
    expect((await run).ok).toBe(false);
  });

  test('rejects immediately with UnknownGroupError for a never-scheduled name', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.schedule('a', [new GwStep('a1')]);
    const waited = s.waitFor('a', 'nope');
    expect(await settledState(waited)).toBe('rejected');
    const error = await caught(waited);
    expect(error).toBeInstanceOf(UnknownGroupError);
    expect((error as UnknownGroupError).group).toBe('nope');
    expect((error as UnknownGroupError).message).toContain('known groups: a');
  });

  test('resolves immediately for groups already provisioned', async () => {
    const file = await newStateFile();
    {
      await using s = await Scheduler.open({ stateFile: file });
      await s.scheduleAll([
        { name: 'a', provisioners: [new GwStep('a1')] },
        { name: 'b', provisioners: [new GwStep('b1')], dependsOn: ['a'] },
      ]);
      expect((await s.run()).ok).toBe(true);
      expect(await settledState(s.waitFor('a', 'b'))).toBe('fulfilled');
    }
    // Also from the state file alone, in a new scheduler with no run.
    await using s2 = await Scheduler.open({ stateFile: file });
    expect(await settledState(s2.waitFor('b'))).toBe('fulfilled');
    expect(await settledState(s2.waitFor())).toBe('fulfilled');
  });

  test('rejects immediately for a group already failed or blocked (no run under way)', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.scheduleAll([
      { name: 'bad', provisioners: [new GwStep('bad1')] },
      { name: 'dep', provisioners: [new GwStep('dep1')], dependsOn: ['bad'] },
    ]);
    fault('startup', 'bad1', { throws: 'boom' });
    await s.run();
    const failed = s.waitFor('bad');
    const blocked = s.waitFor('dep');
    expect(await settledState(failed)).toBe('rejected');
    expect(await settledState(blocked)).toBe('rejected');
    await expect(failed).rejects.toThrow(/Group "bad" failed: .*boom/);
    await expect(blocked).rejects.toThrow(/Group "dep" is blocked: bad did not provision/);
  });

  test('waits through a re-run of a failed group that is started right before', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.schedule('flaky', [new GwStep('fl1')]);
    fault('startup', 'fl1', { throws: 'first time' });
    await s.run();
    resetFixtures();
    const run = s.run();
    await within(s.waitFor('flaky'), 'waitFor(flaky) on the re-run');
    expect((await run).ok).toBe(true);
  });

  test('with a signal, stops waiting when it aborts and leaves no listener behind', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.schedule('a', [new GwStep('a1')]); // scheduled, never run: plain waitFor would wait forever
    const controller = new AbortController();
    const waited = s.waitFor({ groups: ['a'], signal: controller.signal });
    expect(await settledState(waited)).toBe('pending');
    expect(s.events.listenerCount('group:finish')).toBe(1);
    controller.abort(new Error('test gave up'));
    expect(await caught(waited)).toEqual(new Error('test gave up'));
    for (const event of ['group:finish', 'group:fail', 'group:blocked'] as const) expect(s.events.listenerCount(event)).toBe(0);

    expect((await s.run()).ok).toBe(true);
    await within(s.waitFor({ groups: ['a'] }), 'waitFor with options and no signal');
    await expect(s.waitFor({ groups: ['a'], signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
  });
});

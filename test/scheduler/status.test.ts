import { beforeEach, describe, expect, test } from 'vitest';
import { Scheduler, StepFailedError, type StateData } from '../../src/index.js';
import { readStateFile } from '../../src/state/file-store.js';
import { entered, fault, GwResource, GwStep, hold, labels, newStateFile, recordEvents, resetFixtures, within } from '../helpers/scheduler.js';

beforeEach(resetFixtures);

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('status()', () => {
  test('lists each group with its state, report() lines per step, timings and error', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.scheduleAll([
      { name: 'ok', provisioners: [new GwStep('ok1'), new GwResource('ok2')] },
      { name: 'bad', provisioners: [new GwStep('bad1'), new GwStep('bad2')] },
      { name: 'dep', provisioners: [new GwStep('dep1')], dependsOn: ['bad'] },
    ]);

    const before = s.status();
    expect(before.map((g) => [g.name, g.state])).toEqual([
      ['ok', 'pending'],
      ['bad', 'pending'],
      ['dep', 'pending'],
    ]);
    expect(before[0]?.startedAt).toBeNull();
    expect(before[0]?.durationMs).toBeNull();
    expect(before[0]?.scheduledAt).toMatch(ISO);
    // report() works from the snapshot before anything ran.
    expect(before[0]?.steps.map((st) => st.report)).toEqual([['step ok1', 'pause: false'], ['resource (none)']]);

    fault('startup', 'bad1', { throws: 'kaput' });
    await s.run();
    const [ok, bad, dep] = s.status();

    expect(ok?.name).toBe('ok');
    expect(ok?.state).toBe('provisioned');
    expect(ok?.dependsOn).toEqual([]);
    expect(ok?.error).toBeNull();
    expect(ok?.startedAt).toMatch(ISO);
    expect(ok?.finishedAt).toMatch(ISO);
    expect(ok?.durationMs).toBe(Date.parse(ok!.finishedAt!) - Date.parse(ok!.startedAt!));
    expect(ok?.durationMs).toBeGreaterThanOrEqual(0);
    expect(ok?.steps.map((st) => [st.index, st.provisioner, st.state])).toEqual([
      [0, 'GwStep', 'done'],
      [1, 'GwResource', 'done'],
    ]);
    // Lines come from the provisioners as saved after their startup.
    expect(ok?.steps.map((st) => st.report)).toEqual([['step ok1', 'pause: false'], ['resource res-ok2']]);
    for (const st of ok?.steps ?? []) {
      expect(st.startedAt).toMatch(ISO);
      expect(st.finishedAt).toMatch(ISO);
      expect(st.durationMs).toBe(Date.parse(st.finishedAt!) - Date.parse(st.startedAt!));
      expect(st.error).toBeNull();
    }

    expect(bad?.state).toBe('failed');
    expect(bad?.error).toMatch(/Group "bad" step 1 \(GwStep\) failed: kaput/);
    expect(bad?.startedAt).toMatch(ISO);
    expect(bad?.finishedAt).toMatch(ISO);
    expect(bad?.durationMs).toEqual(expect.any(Number));
    expect(bad?.steps.map((st) => st.state)).toEqual(['failed', 'pending']);
    expect(bad?.steps[0]?.error).toContain('kaput');
    expect(bad?.steps[0]?.finishedAt).toMatch(ISO);
    expect(bad?.steps[1]?.startedAt).toBeNull();
    expect(bad?.steps[1]?.durationMs).toBeNull();
    expect(bad?.steps[1]?.error).toBeNull();

    expect(dep?.state).toBe('blocked');
    expect(dep?.dependsOn).toEqual(['bad']);
    expect(dep?.blockedBy).toEqual(['bad']);
    expect(dep?.error).toContain('bad');
    expect(dep?.startedAt).toBeNull();
  });

  test('shows a group in flight as provisioning, with the step running', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.schedule('g', [new GwStep('g1'), new GwStep('g2')]);
    const gate = hold('startup', 'g2');
    const run = s.run();
    await within(entered('startup', 'g2'), 'the second startup');
    const [g] = s.status();
    expect(g?.state).toBe('provisioning');
    expect(g?.finishedAt).toBeNull();
    expect(g?.steps.map((st) => st.state)).toEqual(['done', 'running']);
    expect(g?.steps[1]?.startedAt).toMatch(ISO);
    gate.resolve();
    expect((await run).ok).toBe(true);
  });

  test('a successful re-run clears the error and records a fresh finish', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.schedule('g', [new GwStep('g1')]);
    fault('startup', 'g1', { throws: 'x' });
    await s.run();
    const first = s.status()[0];
    resetFixtures();
    await s.run();
    const second = s.status()[0];
    expect(second?.state).toBe('provisioned');
    expect(second?.error).toBeNull();
    expect(second?.steps[0]?.error).toBeNull();
    expect(Date.parse(second!.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(first!.finishedAt!));
  });
});

describe('events', () => {
  test('fire in order: group:start, step:start, step:finish, ..., group:finish', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.schedule('g', [new GwStep('e1'), new GwStep('e2'), new GwStep('e3')]);
    const events = recordEvents(s);
    expect((await s.run()).ok).toBe(true);
    expect(labels(events)).toEqual([
      'group:start:g',
      'step:start:g:0',
      'step:finish:g:0',
      'step:start:g:1',
      'step:finish:g:1',
      'step:start:g:2',
      'step:finish:g:2',
      'group:finish:g',
    ]);
    expect(events[0]?.payload).toEqual({ group: 'g', resumeAt: 0 });
    expect(events[1]?.payload).toEqual({ group: 'g', step: 0, provisioner: 'GwStep', resumed: false });
    expect(events[2]?.payload).toEqual({ group: 'g', step: 0, provisioner: 'GwStep', durationMs: expect.any(Number) });
    expect(events[7]?.payload).toEqual({ group: 'g', durationMs: expect.any(Number) });
  });

  test('a failure fires step:fail then group:fail, and blocked dependents get group:blocked', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile(), concurrency: 1 });
    await s.scheduleAll([
      { name: 'g', provisioners: [new GwStep('e1'), new GwStep('e2')] },
      { name: 'h', provisioners: [new GwStep('h1')], dependsOn: ['g'] },
    ]);
    fault('startup', 'e2', { throws: 'nope' });
    const events = recordEvents(s);
    await s.run();
    expect(labels(events)).toEqual([
      'group:start:g',
      'step:start:g:0',
      'step:finish:g:0',
      'step:start:g:1',
      'step:fail:g:1',
      'group:fail:g',
      'group:blocked:h',
    ]);
    expect((events[5]?.payload as { error: Error }).error).toBeInstanceOf(StepFailedError);
  });

  test('a listener that throws does not break the run; listener:error is emitted', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.schedule('g', [new GwStep('l1'), new GwStep('l2')]);
    const boom = new Error('listener bug');
    s.on('step:start', () => {
      throw boom;
    });
    const after: string[] = [];
    s.on('step:start', (p) => after.push(`${p.group}:${p.step}`));
    const errors: Array<{ event: string; error: unknown }> = [];
    s.on('listener:error', (p) => errors.push(p));

    const summary = await s.run();

    expect(summary.ok).toBe(true);
    expect(s.output('g')).toEqual({ from: 'l2' });
    // The other listener of the same event still ran, every time.
    expect(after).toEqual(['g:0', 'g:1']);
    expect(errors).toEqual([
      { event: 'step:start', error: boom },
      { event: 'step:start', error: boom },
    ]);
  });

  test('a throwing listener:error listener does not loop or break the run either', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.schedule('g', [new GwStep('m1')]);
    let seen = 0;
    s.on('group:start', () => {
      throw new Error('first');
    });
    s.on('listener:error', () => {
      seen++;
      throw new Error('second');
    });
    expect((await s.run()).ok).toBe(true);
    expect(seen).toBe(1);
  });

  test('on() returns an unsubscribe function', async () => {
    await using s = await Scheduler.open({ stateFile: await newStateFile() });
    await s.schedule('g', [new GwStep('u1')]);
    const seen: string[] = [];
    const off = s.on('group:start', (p) => seen.push(p.group));
    off();
    await s.run();
    expect(seen).toEqual([]);
  });
});

describe('checkpoint', () => {
  test('fields set before ctx.checkpoint() are in the state file before startup returns', async () => {
    const file = await newStateFile();
    await using s = await Scheduler.open({ stateFile: file });
    await s.schedule('r', [new GwResource('cp')]);
    const gate = hold('startup', 'cp');
    const checkpoints: string[] = [];
    s.on('step:checkpoint', (p) => checkpoints.push(`${p.group}:${p.step}:${p.provisioner}`));

    const run = s.run();
    // The startup is past its checkpoint and held open by the gate.
    await within(entered('startup', 'cp'), 'the startup to reach its gate');

    const data = (await readStateFile(file)) as StateData;
    const step = data.groups.r?.steps[0];
    expect(step?.state).toBe('running');
    expect(step?.provisioner.class).toBe('GwResource');
    expect((step?.provisioner.fields.json as { resourceId?: unknown }).resourceId).toBe('res-cp');
    expect(step?.output).toBeUndefined();
    expect(data.groups.r?.state).toBe('provisioning');
    expect(checkpoints).toEqual(['r:0:GwResource']);
    // status() shows it too (report() of the saved snapshot).
    expect(s.status()[0]?.steps[0]?.report).toEqual(['resource res-cp']);

    gate.resolve();
    expect((await run).ok).toBe(true);
    expect(s.output('r')).toEqual({ resourceId: 'res-cp' });
  });
});

import { beforeEach, expect, test } from 'vitest';
import { MemoryStore, Scheduler, type SchedulerEventMap } from '../../src/index.js';
import { GwStep, resetFixtures } from '../helpers/scheduler.js';

beforeEach(resetFixtures);

test('Scheduler.events lets a caller listen but not emit (it could fake the group:finish waitFor trusts)', async () => {
  await using s = await Scheduler.open({ store: new MemoryStore() });
  // @ts-expect-error emitting is internal to the scheduler
  expect(s.events.emit).toBeUndefined();
  expect('emit' in s.events).toBe(false);
  expect(Object.isFrozen(s.events)).toBe(true);

  const finished: Array<SchedulerEventMap['group:finish']['group']> = [];
  const listener = (e: SchedulerEventMap['group:finish']) => finished.push(e.group);
  s.events.on('group:finish', listener);
  expect(s.events.listenerCount('group:finish')).toBe(1);
  await s.schedule('a', [new GwStep('a1')]);
  await s.run();
  s.events.off('group:finish', listener);
  expect(s.events.listenerCount('group:finish')).toBe(0);
  await s.schedule('b', [new GwStep('b1')]);
  await s.run();
  expect(finished).toEqual(['a']);
});

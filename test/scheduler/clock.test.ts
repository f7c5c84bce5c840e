import { readFile } from 'node:fs/promises';
import { expect, test } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { registerProvisioner, Scheduler } from '../../src/index.js';
import { StubProvisioner } from '../helpers/provisioners.js';
import { tempStateFile } from '../helpers/temp.js';

class Tick extends StubProvisioner {
  override startup() {
    return true;
  }
}
registerProvisioner(Tick);

/** Each now() is one second after the last, from a fixed day; every measured span is 42 ms. */
function fakeClock(): Clock {
  let t = Date.parse('2001-02-03T04:05:06.000Z');
  return {
    now: () => new Date((t += 1000)),
    mark: () => () => 42,
  };
}

test('every recorded time and duration comes from the injected clock', async () => {
  const file = await tempStateFile();
  const durations: number[] = [];
  {
    await using s = await Scheduler.open({ stateFile: file, clock: fakeClock() });
    s.events.on('step:finish', (e) => durations.push(e.durationMs));
    s.events.on('group:finish', (e) => durations.push(e.durationMs));
    await s.schedule('a', [new Tick(), new Tick()]);
    const summary = await s.run();
    expect(summary.durationMs).toBe(42);
    const [status] = s.status();
    expect(status).toMatchObject({ scheduledAt: expect.stringMatching(/^2001-02-03T04:05:/), startedAt: expect.stringMatching(/^2001-02-03T04:05:/) });
    for (const step of status!.steps) {
      expect(step.startedAt).toMatch(/^2001-02-03T04:05:/);
      expect(step.finishedAt).toMatch(/^2001-02-03T04:05:/);
    }
    expect(status!.finishedAt).toMatch(/^2001-02-03T04:05:/);
  }
  expect(durations).toEqual([42, 42, 42]);
  const saved = JSON.parse(await readFile(file, 'utf8')) as { createdAt: string };
  expect(saved.createdAt).toMatch(/^2001-02-03T04:05:/);
});

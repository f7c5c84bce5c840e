import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { registerProvisioner, Scheduler, SchedulerBusyError, type Provisioner } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';
import { deferred } from '../helpers/wait.js';

const gates = new Map<string, { entered: () => void; release: Promise<void> }>();

/** Its startup waits on a gate the test opens. */
class Gated implements Provisioner {
  name = '';
  constructor(public gate: string) {}
  async startup() {
    const gate = gates.get(this.gate)!;
    gate.entered();
    await gate.release;
    return true;
  }
  shutdown() {
    return true;
  }
  report() {
    return [];
  }
}
registerProvisioner(Gated, 'BusyTest.Gated');

test('run, deprovision and teardown of one scheduler do not overlap', async () => {
  const entered = deferred();
  const release = deferred();
  gates.set('g', { entered: () => entered.resolve(), release: release.promise });
  await using scheduler = await Scheduler.open({ stateFile: join(await tempDir(), 'state.json') });
  await scheduler.schedule('a', [new Gated('g')]);

  const running = scheduler.run();
  await entered.promise;
  await expect(scheduler.teardown()).rejects.toBeInstanceOf(SchedulerBusyError);
  await expect(scheduler.deprovision('a')).rejects.toThrow('Cannot start deprovision() while run() is under way');
  await expect(scheduler.run()).rejects.toBeInstanceOf(SchedulerBusyError);
  expect(scheduler.status()[0]!.state).toBe('provisioning');

  release.resolve();
  expect((await running).ok).toBe(true);
  expect((await scheduler.teardown()).removed).toEqual(['a']);
});

test('close() is refused while an operation is under way, and leaves the lock and the run alone', async () => {
  const entered = deferred();
  const release = deferred();
  gates.set('c', { entered: () => entered.resolve(), release: release.promise });
  const stateFile = join(await tempDir(), 'state.json');
  const scheduler = await Scheduler.open({ stateFile });
  await scheduler.schedule('a', [new Gated('c')]);

  const running = scheduler.run();
  await entered.promise;
  await expect(scheduler.close()).rejects.toThrow('Cannot start close() while run() is under way on this scheduler; await it first.');
  await expect(scheduler[Symbol.asyncDispose]()).rejects.toBeInstanceOf(SchedulerBusyError);
  expect(existsSync(`${stateFile}.lock`)).toBe(true);

  release.resolve();
  expect((await running).ok).toBe(true); // its last write still had the store
  await scheduler.close();
  expect(existsSync(`${stateFile}.lock`)).toBe(false);
});

import { expect, it } from 'vitest';
import { ActionHandler } from '../../src/provisioners/action-handler.js';
import { destroyMachines, fanOut, readyMachines } from '../../src/drivers/batch.js';
import { driverForUrl } from '../helpers/drivers.js';
import type { MachineSpec } from '../../src/drivers/machine-spec.js';
import { NotOwnedError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { driverContext } from '../helpers/driver-context.js';
import { deferred } from '../helpers/wait.js';

it('fans out at most `concurrency` at once and carries every item to its end, in order', async () => {
  const gates = Array.from({ length: 7 }, () => deferred());
  const starts = Array.from({ length: 7 }, () => deferred());
  let running = 0;
  let most = 0;
  const batch = fanOut(
    gates.map((_, i) => i),
    3,
    (i) => `m${i}`,
    async (i) => {
      running++;
      most = Math.max(most, running);
      starts[i]!.resolve();
      try {
        await gates[i]!.promise;
        if (i === 2) throw new Error('m2 broke');
        return i * 10;
      } finally {
        running--;
      }
    },
  );
  await Promise.all(starts.slice(0, 3).map((s) => s.promise));
  expect(running).toBe(3);
  // Each finished item (m2 by failing) lets exactly the next one start.
  for (let i = 0; i < gates.length; i++) {
    gates[i]!.resolve();
    if (i + 3 < gates.length) {
      await starts[i + 3]!.promise;
      expect(running).toBe(3);
    }
  }
  const results = await batch;
  expect(most).toBe(3);
  expect(results.map((r) => r.machine)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6']);
  expect(results.filter((r) => !r.ok).map((r) => r.machine)).toEqual(['m2']);
  expect(results.flatMap((r) => (r.ok ? [r.value] : []))).toEqual([0, 10, 30, 40, 50, 60]);
});

it('local driver: this host as machines, run through execa; destroy forgets and checks ownership', async () => {
  const driver = driverForUrl('local');
  const lines: string[] = [];
  const action = new ActionHandler({ logger: { ...silentLogger, info: (m) => lines.push(m) } });
  const { ctx, recorded } = driverContext([]);
  const specs: MachineSpec[] = [{ name: 'here1' }, { name: 'here2' }];
  const ready = await readyMachines(
    driver,
    action,
    specs.map((spec) => ({ spec, options: {} })),
    ctx,
  );
  for (const r of ready) {
    expect(r.ok).toBe(true);
    if (!r.ok) continue;
    try {
      expect((await r.value.execute('echo $((6 * 7))')).stdout).toBe('42');
    } finally {
      await r.value.close();
    }
  }
  expect(recorded.get('here1')).toEqual({ driverUrl: 'local', ownerId: ctx.ownerId, ids: {}, address: '127.0.0.1' });
  expect(lines).toContain('[here2] use this host as machine here2');

  const stranger = driverContext([]);
  const refused = await destroyMachines(driver, action, specs, stranger.ctx);
  expect(refused.every((r) => !r.ok && r.error instanceof NotOwnedError)).toBe(true);
  const done = await destroyMachines(driver, action, specs, ctx);
  expect(done.every((r) => r.ok)).toBe(true);
  expect(specs.map((s) => s.reference)).toEqual([undefined, undefined]);
});

import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ActionHandler } from '../../src/provisioners/action-handler.js';
import { allocateMachines, destroyMachines, readyMachines, throwIfFailed } from '../../src/drivers/batch.js';
import { driverForUrl } from '../helpers/drivers.js';
import type { MachineRequest } from '../../src/drivers/driver.js';
import { MachineBatchError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { driverContext } from '../helpers/driver-context.js';
import { keyFolder, namespaces, removeNamespacesWithPrefix, netnsAvailable, uniquePrefix } from '../helpers/netns.js';
import { tempDir } from '../helpers/temp.js';

const prefix = uniquePrefix();
afterEach(() => removeNamespacesWithPrefix(prefix));

// netns rather than local: 20 namespaces with an sshd each come up in about a second.
it.runIf(netnsAvailable)('allocates 20 machines with one failing: 19 ready, one error naming its machine', async () => {
  const dir = await tempDir('gw-batch-');
  const keys = await keyFolder(dir, 'demo');
  const driver = driverForUrl(`netns:${join(dir, 'netns')}`, { prefix, subnet: '10.232.0.0/16' });
  const { ctx } = driverContext([keys]);
  const action = new ActionHandler({ logger: silentLogger });
  // m13's key does not exist: its allocation fails for that real reason, the others go on.
  const requests: MachineRequest[] = Array.from({ length: 20 }, (_, i) => ({
    spec: { name: `m${i}` },
    options: { keyName: i === 13 ? 'no-such-key' : 'demo' },
  }));

  const allocated = await allocateMachines(driver, action, requests, ctx);
  expect(allocated.filter((r) => r.ok)).toHaveLength(19);
  const failed = allocated.filter((r) => !r.ok);
  expect(failed.map((r) => r.machine)).toEqual(['m13']);
  let error: unknown;
  try {
    throwIfFailed('Allocate', allocated);
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(MachineBatchError);
  expect((error as Error).message).toMatch(/Allocate failed for 1 of 20 machine\(s\):\n {2}m13: Private key "no-such-key" not found/);

  const ok = requests.filter((r) => r.spec.reference);
  const ready = await readyMachines(driver, action, ok, ctx);
  try {
    expect(ready.filter((r) => r.ok)).toHaveLength(19);
    const addresses = new Set(ok.map((r) => r.spec.reference!.address));
    expect(addresses.size).toBe(19);
    for (const r of ready) if (r.ok) expect((await r.value.execute('ip -4 -o addr show scope global')).stdout).toContain(r.value.address);
  } finally {
    await Promise.all(ready.map((r) => (r.ok ? r.value.close() : undefined)));
  }

  const destroyed = await destroyMachines(
    driver,
    action,
    requests.map((r) => r.spec),
    ctx,
  );
  expect(destroyed.every((r) => r.ok)).toBe(true);
  expect((await namespaces()).filter((n) => n.startsWith(`${prefix}-`))).toEqual([]);
});

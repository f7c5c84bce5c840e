import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { ActionHandler } from '../../src/provisioners/action-handler.js';
import { driverForUrl } from '../helpers/drivers.js';
import type { MachineSpec } from '../../src/drivers/machine-spec.js';
import { NotOwnedError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { driverContext } from '../helpers/driver-context.js';
import { keyFolder, namespaces, removeNamespacesWithPrefix, netnsAvailable, uniquePrefix } from '../helpers/netns.js';
import { tempDir } from '../helpers/temp.js';

const prefix = uniquePrefix();
afterEach(() => removeNamespacesWithPrefix(prefix));

it.runIf(netnsAvailable)("destroy refuses a machine whose reference carries another state's id, and destroys it when forced", async () => {
  const dir = await tempDir('gw-owner-');
  const keys = await keyFolder(dir, 'demo');
  const driver = driverForUrl(`netns:${join(dir, 'netns')}`, { prefix, subnet: '10.233.0.0/16' });
  const action = new ActionHandler({ logger: silentLogger });
  const owner = driverContext([keys]);
  const spec: MachineSpec = { name: 'db1' };
  await driver.allocateMachine(action, spec, { keyName: 'demo' }, owner.ctx);
  const ns = String(spec.reference!.ids.namespace);
  expect(spec.reference!.ownerId).toBe(owner.ctx.ownerId);
  expect(owner.recorded.get('db1')).toEqual(spec.reference);
  expect(await namespaces()).toContain(ns);

  const stranger = driverContext([keys]);
  const refused = await driver.destroyMachine(action, spec, stranger.ctx).catch((e: unknown) => e);
  expect(refused).toBeInstanceOf(NotOwnedError);
  expect((refused as Error).message).toContain(`Machine "db1" belongs to state ${owner.ctx.ownerId}`);
  expect(await namespaces()).toContain(ns);
  expect(spec.reference).toBeDefined();

  await driver.destroyMachine(action, spec, { ...stranger.ctx, force: true });
  expect(await namespaces()).not.toContain(ns);
  expect(spec.reference).toBeUndefined();
  expect(stranger.recorded.get('db1')).toBeUndefined();
  expect(stranger.recorded.has('db1')).toBe(true);
});

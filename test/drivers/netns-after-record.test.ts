// `netns-after-record`: allocation stops right after the reference is recorded
// (namespace, veth, address claim and sshd files all made). A run resumed from
// that reference adopts all of it: no second namespace, no second address block.
import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, expect, it, onTestFinished } from 'vitest';
import { ActionHandler } from '../../src/provisioners/action-handler.js';
import { driverForUrl } from '../helpers/drivers.js';
import type { MachineSpec } from '../../src/drivers/machine-spec.js';
import { armFailpoints } from '../../src/failpoints.js';
import { silentLogger } from '../../src/logger.js';
import { driverContext } from '../helpers/driver-context.js';
import {
  hostLinks,
  keyFolder,
  namespaces,
  netnsAvailable,
  processesUsing,
  removeNamespacesWithPrefix,
  uniquePrefix,
} from '../helpers/netns.js';
import { tempDir } from '../helpers/temp.js';

const prefix = uniquePrefix();
afterEach(() => removeNamespacesWithPrefix(prefix));
const ours = async () => (await namespaces()).filter((n) => n.startsWith(`${prefix}-`));

it.runIf(netnsAvailable)('a stop right after the record is resumed from the recorded reference, adopting what it names', async () => {
  const dir = await tempDir('gw-after-record-');
  const keys = await keyFolder(dir, 'demo');
  const driverDir = join(dir, 'netns');
  const driver = driverForUrl(`netns:${driverDir}`, { prefix, subnet: '10.238.0.0/16' });
  const action = new ActionHandler({ logger: silentLogger });
  const { ctx, recorded } = driverContext([keys]);
  onTestFinished(armFailpoints('netns-after-record:eio'));

  await expect(driver.allocateMachine(action, { name: 'web1' }, { keyName: 'demo' }, ctx)).rejects.toThrow(
    'EIO: injected by failpoint netns-after-record',
  );
  const saved = recorded.get('web1');
  expect(saved?.ids.namespace).toBe((await ours())[0]);
  expect(await readdir(join(driverDir, 'addresses'))).toHaveLength(1);

  // What the next run revives from the state: the recorded reference only.
  const spec: MachineSpec = { name: 'web1', reference: saved };
  const machine = await driver.readyMachine(action, spec, { keyName: 'demo' }, ctx);
  try {
    expect((await machine.execute('ip -4 -o addr show scope global')).stdout).toContain(saved!.address!);
  } finally {
    await machine.close();
  }
  expect(spec.reference).toMatchObject({ address: saved!.address, hostKey: saved!.hostKey, ids: { namespace: saved!.ids.namespace } });
  expect(await ours()).toEqual([saved!.ids.namespace]);
  expect(await readdir(join(driverDir, 'addresses'))).toHaveLength(1);

  await driver.destroyMachine(action, spec, ctx);
  expect(await ours()).toEqual([]);
  expect((await hostLinks()).filter((l) => l.ifalias?.startsWith(`${prefix}-`))).toEqual([]);
  expect(processesUsing(driverDir)).toEqual([]);
  expect(existsSync(driverDir)).toBe(false);
});

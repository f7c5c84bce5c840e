// A claim file whose write fails (injected at `claim-before-write`) is closed
// and removed: no file handle is left, and no empty claim holds the host or
// address block that the next allocation gets.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import { ActionHandler } from '../../src/provisioners/action-handler.js';
import { driverForUrl } from '../helpers/drivers.js';
import type { MachineSpec } from '../../src/drivers/machine-spec.js';
import { AddressClaims } from '../../src/drivers/netns/claims.js';
import { Subnet } from '../../src/drivers/netns/subnet.js';
import { armFailpoints } from '../../src/failpoints.js';
import { silentLogger } from '../../src/logger.js';
import { driverContext } from '../helpers/driver-context.js';
import { openFilesUnder } from '../helpers/open-files.js';
import { tempDir } from '../helpers/temp.js';

test('ssh driver: a failed claim write leaves no claim and no open file, and the host is claimed next time', async () => {
  const dir = await tempDir('gw-ssh-claim-');
  const hosts = join(dir, 'hosts.json');
  // allocate only claims: nothing needs to listen there.
  await writeFile(hosts, JSON.stringify([{ name: 'box', host: '127.0.0.1', port: 22, username: 'root', keyName: 'k' }]));
  const driver = driverForUrl(`ssh:${hosts}`);
  const action = new ActionHandler({ logger: silentLogger });
  const { ctx } = driverContext([]);
  const claims = join(dir, 'hosts.json.claims');
  onTestFinished(armFailpoints('claim-before-write:eio'));

  const a: MachineSpec = { name: 'a' };
  await expect(driver.allocateMachine(action, a, {}, ctx)).rejects.toMatchObject({ code: 'EIO' });
  expect(a.reference).toBeUndefined();
  expect(await readdir(claims)).toEqual([]);
  expect(await openFilesUnder(dir)).toEqual([]);

  const b: MachineSpec = { name: 'b' };
  await driver.allocateMachine(action, b, {}, ctx);
  expect(b.reference?.ids.host).toBe('box');
  expect(await readdir(claims)).toEqual(['box']);
});

test('netns address claims: a failed claim write leaves no claim and no open file, and the block is claimed next time', async () => {
  const dir = await tempDir('gw-netns-claim-');
  // A subnet no host interface uses; claim() only reads the host's addresses.
  const claims = new AddressClaims(dir, new Subnet('10.239.0.0/16'));
  onTestFinished(armFailpoints('claim-before-write:eio'));

  await expect(claims.claim('gw-test-a')).rejects.toMatchObject({ code: 'EIO' });
  expect(await readdir(join(dir, 'addresses'))).toEqual([]);
  expect(await openFilesUnder(dir)).toEqual([]);

  expect(await claims.claim('gw-test-b')).toBe(0);
  expect(await claims.held('gw-test-b')).toBe(0);
  await claims.release('gw-test-b');
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ActionHandler } from '../../src/provisioners/action-handler.js';
import { driverForUrl } from '../helpers/drivers.js';
import type { MachineSpec } from '../../src/drivers/machine-spec.js';
import { DriverError, NotOwnedError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { driverContext } from '../helpers/driver-context.js';
import { tcpConnectionsTo } from '../helpers/open-files.js';
import { runSshd, sshdAvailability, type RunningSshd, type SshdSetup } from '../helpers/sshd.js';
import { tempDir } from '../helpers/temp.js';

const usable = process.env.CI === 'true' || sshdAvailability().available;
let sshd: SshdSetup & RunningSshd;
beforeAll(async () => {
  if (usable) sshd = await runSshd();
});
afterAll(() => sshd?.stop());

/** An ssh driver whose hosts file lists the test sshd as `box`, and that file. */
async function sshDriverForOneHost() {
  const hosts = join(await tempDir('gw-ssh-driver-'), 'hosts.json');
  await writeFile(
    hosts,
    JSON.stringify([{ name: 'box', host: sshd.host, port: sshd.port, username: sshd.username, keyName: 'id_ed25519' }]),
  );
  return { driver: driverForUrl(`ssh:${hosts}`), hosts };
}

it.runIf(usable)(
  'claims a listed host, connects with the host key pinned, refuses a second claim, and releases it on destroy',
  async () => {
    const { driver, hosts } = await sshDriverForOneHost();
    const action = new ActionHandler({ logger: silentLogger });
    const group1 = driverContext([sshd.dir]);
    // Another group of the same state: it sees group1's claim.
    const group2 = driverContext([sshd.dir], { ownerId: group1.ctx.ownerId });

    const a: MachineSpec = { name: 'a' };
    const machine = await driver.readyMachine(action, a, {}, group1.ctx);
    try {
      expect((await machine.execute('echo hi')).stdout).toBe('hi');
    } finally {
      await machine.close();
    }
    expect(a.reference).toMatchObject({
      driverUrl: `ssh:${hosts}`,
      ownerId: group1.ctx.ownerId,
      ids: { host: 'box' },
      hostKey: sshd.hostKey,
      keyName: 'id_ed25519',
    });
    expect(JSON.stringify(a.reference)).not.toContain('PRIVATE KEY');

    const b: MachineSpec = { name: 'b' };
    const refused = await driver.allocateMachine(action, b, {}, group2.ctx).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DriverError);
    expect((refused as Error).message).toContain(`No free host in ${hosts} for machine "b" (1 listed, all claimed)`);

    const stranger = driverContext([sshd.dir]);
    await expect(driver.destroyMachine(action, a, stranger.ctx)).rejects.toBeInstanceOf(NotOwnedError);
    await driver.destroyMachine(action, a, group1.ctx);
    expect(a.reference).toBeUndefined();
    // Released, not powered off: the host still answers, and b can claim it now.
    await driver.allocateMachine(action, b, {}, group2.ctx);
    expect(b.reference?.ids.host).toBe('box');
    const again = await driver.connectToMachine(b, group2.ctx);
    await again.close();
  },
);

// readyMachine connects and then records the host key it pinned; when that
// record fails, the connection (and its keepalive) is closed, not leaked.
it.runIf(usable)('a failed record of the pinned host key closes the connection it just opened', async () => {
  const { driver } = await sshDriverForOneHost();
  const action = new ActionHandler({ logger: silentLogger });
  const refused = new Error('state write failed');
  let records = 0;
  // The first record (the claim) succeeds; the second (the host key pinned at first connect) fails.
  const { ctx } = driverContext([sshd.dir], {
    record: async () => {
      if (++records === 2) throw refused;
    },
  });
  const spec: MachineSpec = { name: 'a' };

  await expect(driver.readyMachine(action, spec, {}, ctx)).rejects.toBe(refused);
  expect(records).toBe(2);
  expect(await tcpConnectionsTo(sshd.port)).toBe(0);

  // The claim stays this machine's: readied again, it connects and pins the key.
  const machine = await driver.readyMachine(action, spec, {}, ctx);
  try {
    expect(await tcpConnectionsTo(sshd.port)).toBe(1);
    expect(spec.reference?.hostKey).toBe(sshd.hostKey);
  } finally {
    await machine.close();
  }
  expect(await tcpConnectionsTo(sshd.port)).toBe(0);
  await driver.destroyMachine(action, spec, ctx);
});

import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ActionHandler } from '../../src/provisioners/action-handler.js';
import { driverForUrl } from '../helpers/drivers.js';
import type { MachineSpec } from '../../src/drivers/machine-spec.js';
import { DriverError, NotOwnedError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { driverContext } from '../helpers/driver-context.js';
import { runSshd, sshdAvailability, type RunningSshd, type SshdSetup } from '../helpers/sshd.js';
import { tempDir } from '../helpers/temp.js';

const usable = process.env.CI === 'true' || sshdAvailability().available;
let sshd: SshdSetup & RunningSshd;
beforeAll(async () => {
  if (usable) sshd = await runSshd();
});
afterAll(() => sshd?.stop());

it.runIf(usable)(
  'claims a listed host, connects with the host key pinned, refuses a second claim, and releases it on destroy',
  async () => {
    const dir = await tempDir('gw-ssh-driver-');
    const hosts = join(dir, 'hosts.json');
    await writeFile(
      hosts,
      JSON.stringify([{ name: 'box', host: sshd.host, port: sshd.port, username: sshd.username, keyName: 'id_ed25519' }]),
    );
    const driver = driverForUrl(`ssh:${hosts}`);
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

// readyMachine connects and then records the host key it pinned; when that
// record fails, the connection (and its keepalive) is closed, not leaked.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ActionHandler } from '../../src/provisioners/action-handler.js';
import { driverForUrl } from '../helpers/drivers.js';
import type { MachineSpec } from '../../src/drivers/machine-spec.js';
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

it.runIf(usable)('a failed record of the pinned host key closes the connection it just opened', async () => {
  const dir = await tempDir('gw-ssh-ready-');
  const hosts = join(dir, 'hosts.json');
  await writeFile(
    hosts,
    JSON.stringify([{ name: 'box', host: sshd.host, port: sshd.port, username: sshd.username, keyName: 'id_ed25519' }]),
  );
  const driver = driverForUrl(`ssh:${hosts}`);
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

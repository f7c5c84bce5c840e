import { appendFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, expect, it } from 'vitest';
import { ActionHandler } from '../../src/provisioners/action-handler.js';
import { driverForUrl } from '../helpers/drivers.js';
import type { MachineSpec } from '../../src/drivers/machine-spec.js';
import { MachineBatchError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { readyAll } from '../../src/provisioners/machines/stages.js';
import { driverContext } from '../helpers/driver-context.js';
import { keyFolder, namespaces, removeNamespacesWithPrefix, netnsAvailable, uniquePrefix } from '../helpers/netns.js';
import { bundleStandalone } from '../helpers/bundle.js';
import { tempDir } from '../helpers/temp.js';

const prefix = uniquePrefix();
afterEach(() => removeNamespacesWithPrefix(prefix));

it.runIf(netnsAvailable)(
  'a machine that does not get ready is stopped and started once, then fails naming it, with both causes',
  async () => {
    const dir = await tempDir('gw-notready-');
    const keys = await keyFolder(dir, 'demo');
    const driver = driverForUrl(`netns:${join(dir, 'netns')}`, { prefix, subnet: '10.237.0.0/16', readyTimeoutMs: 5_000 });
    const lines: string[] = [];
    const action = new ActionHandler({ logger: { ...silentLogger, info: (m) => lines.push(m) } });
    const { ctx } = driverContext([keys]);
    const spec: MachineSpec = { name: 'broken' };
    await driver.allocateMachine(action, spec, { keyName: 'demo' }, ctx);
    // A config sshd refuses: it exits at once, on the first start and on the retry.
    await appendFile(join(dir, 'netns', String(spec.reference!.ids.namespace), 'sshd_config'), 'NoSuchOption yes\n');

    const error = await readyAll(driver, action, [{ spec, options: { keyName: 'demo' } }], ctx).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MachineBatchError);
    const message = (error as Error).message;
    expect(message).toMatch(/^Ready failed for 1 of 1 machine\(s\):\n {2}broken: still not ready after a stop and start: /);
    expect(message).toMatch(/sshd in \S+ exited; see \S+sshd\.log.*\(first failure: .*sshd in \S+ exited/);
    expect(lines.filter((l) => l.includes('[broken] start sshd'))).toHaveLength(2);
    expect(lines.some((l) => l.startsWith('[broken] not ready ('))).toBe(true);
  },
);

it.runIf(netnsAvailable)('recreates a machine whose namespace was removed behind its back', async () => {
  const dir = await tempDir('gw-gone-');
  const keys = await keyFolder(dir, 'demo');
  const driver = driverForUrl(`netns:${join(dir, 'netns')}`, { prefix, subnet: '10.237.0.0/16' });
  const action = new ActionHandler({ logger: silentLogger });
  const { ctx } = driverContext([keys]);
  const spec: MachineSpec = { name: 'phoenix' };
  await (await driver.readyMachine(action, spec, { keyName: 'demo' }, ctx)).close();
  const ns = String(spec.reference!.ids.namespace);
  await removeNamespacesWithPrefix(prefix); // sshd killed, namespace and veth gone
  expect(await namespaces()).not.toContain(ns);

  const machine = await driver.readyMachine(action, spec, { keyName: 'demo' }, ctx);
  try {
    expect((await machine.execute('ip -4 -o addr show scope global')).stdout).toContain(spec.reference!.address!);
  } finally {
    await machine.close();
  }
  expect((await namespaces()).filter((n) => n === ns)).toHaveLength(1);
  await driver.destroyMachine(action, spec, ctx);
  expect(await namespaces()).not.toContain(ns);
});

it.runIf(process.getuid?.() === 0)('says it needs root when not run as root', async () => {
  const dir = await tempDir('gw-noroot-');
  await chmod(dir, 0o755); // reachable by the unprivileged user, unlike a checkout in a private folder
  const script = join(dir, 'netns-noroot.mjs');
  await bundleStandalone('netns-noroot.ts', script);
  const result = await execa(process.execPath, [script, join(dir, 'netns'), prefix], {
    cwd: dir,
    uid: 65534,
    gid: 65534,
    reject: false,
    env: { HOME: dir },
  });
  expect(result.stdout, result.stderr).toBe(
    'GW_DRIVER The netns driver needs root to create network namespaces (machine "web1"; running as uid 65534). Run as root (e.g. with sudo), or use the "local" or "ssh" driver.',
  );
  expect((await namespaces()).filter((n) => n.startsWith(`${prefix}-`))).toEqual([]);
});

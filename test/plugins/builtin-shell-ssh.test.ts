// The built-in shell automator over a real sshd: one connection per task however many commands and transfers
// it makes, the host key pinned, the key found by name.
import { basename, dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { DriverRegistry, PluginRegistry, registerBuiltinPlugins, silentLogger, TaskName, type PluginTask } from '../../src/index.js';
import { ActionHandler } from '../../src/provisioners/action-handler.js';
import { fixture } from '../helpers/paths.js';
import { runSshd, sshdAvailability, type RunningSshd, type SshdSetup } from '../helpers/sshd.js';
import { tempDir } from '../helpers/temp.js';

const usable = process.env.CI === 'true' || sshdAvailability().available;
let sshd: SshdSetup & RunningSshd;
beforeAll(async () => {
  if (usable) sshd = await runSshd();
});
afterAll(() => sshd?.stop());

const accepted = () => (sshd.stderr().match(/Accepted publickey/g) ?? []).length;

async function shellTask(dir: string, taskName: TaskName, hostKey: string, service?: PluginTask['service']) {
  const registry = new PluginRegistry();
  registerBuiltinPlugins(registry, {
    drivers: new DriverRegistry(),
    dataDir: dir,
    stateId: 'state-1',
    actions: new ActionHandler({ logger: silentLogger }),
  });
  const task: PluginTask = {
    taskId: `n1:${taskName}${service ? `:${service.name}` : ':shell'}`,
    taskName,
    clusterId: 'state-1',
    nodeId: 'n1',
    hostname: 'n1',
    config: { ipaddress: sshd.host, 'ssh-auth': { user: sshd.username, keyName: basename(sshd.privateKeyPath), port: sshd.port, hostKey } },
    results: {},
    fields: { scriptsDir: fixture('plugins-cluster/shell-scripts'), remoteDir: join(dir, 'remote'), keyPath: dirname(sshd.privateKeyPath) },
    ...(service ? { service } : {}),
  };
  const controller = new AbortController();
  return registry.automator('shell').run(task, { logger: silentLogger, signal: controller.signal, checkpoint: async () => {} });
}

test.skipIf(!usable)('one SSH connection per task, reused by its commands; a wrong host key is refused', async () => {
  const dir = await tempDir('gw-shell-ssh-');
  let before = accepted();
  const boot = await shellTask(dir, TaskName.Bootstrap, sshd.hostKey);
  expect(boot.status, boot.stderr).toBe(0);
  expect(boot.stdout).toContain('copied 3 script(s) and gw-task');
  expect(accepted() - before).toBe(1); // mkdir, gw-task write, 3 uploads, chmod: one connection

  before = accepted();
  const install = await shellTask(dir, TaskName.Install, sshd.hostKey, {
    name: 'a',
    action: { type: 'shell', script: 'echo-args.sh', data: 'x y' },
  });
  expect(install.status, install.stderr).toBe(0);
  expect(install.stdout).toContain('[x y]');
  expect(install.result).toEqual({ argc: '1' });
  expect(accepted() - before).toBe(1); // task JSON write, the script, the result read: one connection

  const wrong = await shellTask(dir, TaskName.Install, 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', {
    name: 'a',
    action: { type: 'shell', script: 'echo-args.sh' },
  });
  expect(wrong.status).toBe(1);
  expect(wrong.stderr).toMatch(/host key/i);
});

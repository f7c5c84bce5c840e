import { userInfo } from 'node:os';
import { join } from 'node:path';
import type { DriverContext } from '../../drivers/driver.js';
import type { MachineReference, MachineSpec } from '../../drivers/machine-spec.js';
import { assertPreflight } from '../../drivers/preflight.js';
import { KeyStore } from '../../keys/key-store.js';
import { ConfigError } from '../../errors.js';
import type { PluginParameters } from '../parameters.js';
import type { RunHooks } from '../registry.js';
import { emptyResult, TaskName, type PluginResult, type PluginTask } from '../task.js';
import { textField, type BuiltinEnv } from './env.js';

export type DriverScheme = 'netns' | 'ssh' | 'local';

/** Fields passed on to the driver as its config. */
const DRIVER_CONFIG: Record<DriverScheme, readonly string[]> = {
  netns: ['subnet', 'prefix', 'username', 'readyTimeoutMs', 'connectDeadlineMs', 'sshdPath', 'concurrency'],
  ssh: ['concurrency'],
  local: [],
};

const text = (label: string, tip: string, extra: object = {}) => ({ scope: 'user' as const, type: 'text' as const, label, tip, ...extra });

export const DRIVER_PARAMETERS: Record<DriverScheme, PluginParameters> = {
  netns: {
    fields: {
      keyName: text('Key name', 'the private key authorized on the node (GROUNDWORK_KEY_<NAME> or a file in the key folders)'),
      keyPath: text('Key folder', 'a folder with the key file, searched before <state data dir>/keys'),
      subnet: text('Subnet', 'one /30 per node', { default: '10.200.0.0/16' }),
      dir: text('Driver folder', "each node's sshd files and address claims", { default: '/run/groundwork' }),
      prefix: text('Namespace prefix', 'up to 8 lowercase letters or digits', { default: 'gw' }),
      username: text('Login user', 'on the node', { default: 'root' }),
      readyTimeoutMs: text('Ready timeout (ms)', 'how long sshd gets to answer'),
      connectDeadlineMs: text('Connect deadline (ms)', 'how long SSH connects are retried'),
      sshdPath: text('sshd', 'OpenSSH sshd started in each namespace', { default: '/usr/sbin/sshd' }),
      concurrency: text('Concurrency', 'machines handled at once'),
    },
    required: [['keyName']],
  },
  ssh: {
    fields: {
      hostsFile: text('Hosts file', 'JSON array of { name, host, port, username, keyName }'),
      keyPath: text('Key folder', 'a folder with the key files, searched before <state data dir>/keys'),
      concurrency: text('Concurrency', 'machines handled at once'),
    },
    required: [['hostsFile']],
  },
  local: { fields: {}, required: [] },
};

/**
 * A provider over a Groundwork driver: CREATE = allocate (the machine reference is the
 * `providerid`, checkpointed as soon as the driver records it), CONFIRM = ready (`ipaddress`,
 * `ssh-auth` with the key's name and the pinned host key), DELETE = destroy.
 */
export async function runDriverTask(
  scheme: DriverScheme,
  task: PluginTask,
  hooks: RunHooks,
  env: BuiltinEnv,
): Promise<Partial<PluginResult>> {
  const f = task.fields;
  const url = driverUrl(scheme, f);
  const config = Object.fromEntries(DRIVER_CONFIG[scheme].filter((k) => f[k] !== undefined).map((k) => [k, f[k]]));
  const driver = env.drivers.driverForUrl(url, config);
  const keyPath = textField(f, 'keyPath');
  const partial = emptyResult();
  // A resumed CONFIRM starts from the reference it checkpointed (e.g. its sshd's pid), else CREATE's.
  const spec: MachineSpec = { name: task.nodeId, reference: reference(task.config.machine) ?? reference(task.config.providerid) };
  const key = task.taskName === TaskName.Create ? 'providerid' : 'machine';
  const dctx: DriverContext = {
    ownerId: env.stateId,
    signal: hooks.signal,
    logger: hooks.logger,
    keys: new KeyStore({ keyPaths: [...(keyPath ? [keyPath] : []), join(env.dataDir, 'keys')] }),
    record: async (s) => {
      partial.result[key] = s.reference ?? null;
      await hooks.checkpoint(partial);
    },
  };
  const action = env.actions.forMachine(task.nodeId);
  const keyName = textField(f, 'keyName');
  const options = keyName ? { keyName } : {};
  switch (task.taskName) {
    case TaskName.Create:
      await assertPreflight(driver);
      await driver.allocateMachine(action, spec, options, dctx);
      return { result: { providerid: spec.reference ?? null }, stdout: `allocated ${task.nodeId} through ${driver.driverUrl}\n` };
    case TaskName.Confirm: {
      const machine = await driver.readyMachine(action, spec, options, dctx);
      await machine.close();
      const ref = spec.reference;
      const address = ref?.address ?? machine.address;
      return {
        result: { ipaddress: address, 'ssh-auth': sshAuth(scheme, ref), hostkey: ref?.hostKey ?? null },
        stdout: `${task.nodeId} is ready at ${address}\n`,
      };
    }
    case TaskName.Delete:
      await driver.destroyMachine(action, spec, dctx);
      return { result: { providerid: null }, stdout: `destroyed ${task.nodeId}\n` };
    default:
      throw new ConfigError(`The ${scheme} provider handles CREATE, CONFIRM and DELETE, not ${task.taskName}.`);
  }
}

function driverUrl(scheme: DriverScheme, f: Record<string, unknown>): string {
  if (scheme === 'ssh') {
    const file = textField(f, 'hostsFile');
    if (!file) throw new ConfigError('The ssh provider needs the field `hostsFile` (a JSON list of hosts).');
    return `ssh:${file}`;
  }
  const dir = textField(f, 'dir');
  return scheme === 'netns' && dir ? `netns:${dir}` : scheme;
}

function reference(value: unknown): MachineReference | undefined {
  return typeof value === 'object' && value !== null && typeof (value as MachineReference).driverUrl === 'string'
    ? (value as MachineReference)
    : undefined;
}

/** How automators log in: the user, the key's *name* and the pinned host key; never key text. */
function sshAuth(scheme: DriverScheme, ref: MachineReference | undefined): Record<string, unknown> {
  if (scheme === 'local') return { user: userInfo().username, transport: 'local' };
  return {
    user: ref?.username ?? 'root',
    ...(ref?.keyName ? { keyName: ref.keyName } : {}),
    port: ref?.port ?? 22,
    ...(ref?.hostKey ? { hostKey: ref.hostKey } : {}),
  };
}

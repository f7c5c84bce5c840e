import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigError } from '../../errors.js';
import { KeyStore } from '../../keys/key-store.js';
import { LocalMachine } from '../../machines/local-machine.js';
import type { Machine } from '../../machines/machine.js';
import { sshOptions } from '../../drivers/ssh-options.js';
import { connectSsh } from '../../transport/connect.js';
import type { PluginParameters } from '../parameters.js';
import type { RunHooks } from '../registry.js';
import { sshAuthOf } from '../ssh-auth.js';
import { TaskName, type PluginResult, type PluginTask } from '../task.js';
import { numberField, textField, type BuiltinEnv } from './env.js';
import { GW_TASK_SCRIPT } from './gw-task.js';

const text = (label: string, tip: string, extra: object = {}) => ({ scope: 'user' as const, type: 'text' as const, label, tip, ...extra });

export const SHELL_PARAMETERS: PluginParameters = {
  fields: {
    scriptsDir: text('Scripts folder', 'a local folder whose files BOOTSTRAP copies to each node'),
    keyPath: text('Key folder', 'a folder with the login key, searched before <state data dir>/keys'),
    remoteDir: text('Folder on the node', 'scripts go to <remoteDir>/<cluster id>/<node>/scripts', { default: '/tmp/groundwork-shell' }),
    commandTimeoutMs: text('Command timeout (ms)', 'each script run', { default: '300000' }),
  },
  required: [],
};

// A script is a file name in the scripts folder, never a path or a command line.
const SCRIPT = /^[A-Za-z0-9_][\w.-]*$/;

/** POSIX shell single-quoting: the value reaches the script as exactly one argument. */
export function quote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * The `shell` automator: BOOTSTRAP copies the scripts folder and `gw-task` to the node (idempotent);
 * each action ships the task JSON and runs `<script> <data>` there (`gw-task` reads the JSON; `key=value`
 * lines the script writes to $GW_RESULT are its result). One connection per task, every
 * command with a timeout and the run's AbortSignal; exit 0 is status 0; output kept either way.
 */
export async function runShellTask(task: PluginTask, hooks: RunHooks, env: BuiltinEnv): Promise<Partial<PluginResult>> {
  const f = task.fields;
  const timeout = numberField(f, 'commandTimeoutMs', 300_000);
  const root = `${textField(f, 'remoteDir', '/tmp/groundwork-shell')}/${task.clusterId}/${task.nodeId}`;
  const options = { timeout, signal: hooks.signal };
  await using machine = await connect(task, hooks, env);
  if (task.taskName === TaskName.Bootstrap) {
    await machine.execute(`mkdir -p ${quote(`${root}/scripts`)} ${quote(`${root}/tasks`)} ${quote(`${root}/bin`)}`, options);
    await machine.writeFile(`${root}/bin/gw-task`, GW_TASK_SCRIPT, options);
    const dir = textField(f, 'scriptsDir');
    const files = dir
      ? (await readdir(dir, { withFileTypes: true }))
          .filter((e) => e.isFile())
          .map((e) => e.name)
          .sort()
      : [];
    for (const file of files) await machine.uploadFile(join(dir!, file), `${root}/scripts/${file}`, options);
    await machine.execute(
      `chmod 0755 ${quote(`${root}/bin/gw-task`)}${files.map((file) => ` ${quote(`${root}/scripts/${file}`)}`).join('')}`,
      options,
    );
    return { stdout: `copied ${files.length} script(s) and gw-task to ${root} on ${task.nodeId}\n` };
  }
  if (!task.service && task.taskName === TaskName.Remove) {
    // The undo of BOOTSTRAP (loomCluster adds it for this automator): the node keeps nothing of ours.
    // The cluster's folder and then remoteDir itself go too once empty (rmdir takes them in this order).
    await machine.execute(`rm -rf ${quote(root)} && rmdir ${quote(dirname(root))} ${quote(dirname(dirname(root)))} 2>/dev/null; true`, options);
    return { stdout: `removed ${root} on ${task.nodeId}\n` };
  }
  const action = task.service?.action;
  if (!action?.script) return { stdout: `${task.taskId}: no script; nothing to run\n` };
  if (!SCRIPT.test(action.script))
    throw new ConfigError(
      `Service "${task.service!.name}": \`script\` must be a file name in the scripts folder, got ${JSON.stringify(action.script)}.`,
    );
  const base = `${root}/tasks/${task.taskId.replace(/[^\w.-]/g, '_')}`;
  await machine.writeFile(`${base}.json`, JSON.stringify(task, null, 2), options);
  const command =
    `cd ${quote(`${root}/scripts`)} && rm -f ${quote(`${base}.result`)} && ` +
    `GW_TASK=${quote(`${base}.json`)} GW_RESULT=${quote(`${base}.result`)} PATH=${quote(`${root}/bin`)}:"$PATH" ` +
    `./${quote(action.script)}${action.data !== undefined ? ` ${quote(action.data)}` : ''}`;
  const result = await machine.execute(command, { ...options, reject: false });
  const why = result.timedOut
    ? `\n${action.script} timed out after ${timeout} ms`
    : result.isCanceled
      ? `\n${action.script} was cancelled`
      : '';
  const status = result.exitCode === 0 ? 0 : (result.exitCode ?? 1);
  // The script's results: `key=value` lines it wrote to $GW_RESULT (read over the same connection).
  const written = await machine.execute(`cat ${quote(`${base}.result`)} 2>/dev/null; true`, options);
  return { status, result: parseResult(written.stdout), stdout: result.stdout, stderr: result.stderr + why };
}

/** `key=value` lines; other lines are ignored. */
export function parseResult(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq).trim()] = line.slice(eq + 1);
  }
  return out;
}

async function connect(task: PluginTask, hooks: RunHooks, env: BuiltinEnv): Promise<Machine> {
  const auth = task.config['ssh-auth'] as Record<string, unknown> | undefined;
  if (auth?.transport === 'local') return new LocalMachine(task.nodeId);
  const sshauth = sshAuthOf(task);
  if (!sshauth.ipaddress || !auth)
    throw new ConfigError(
      `Node ${task.nodeId} has no \`ipaddress\` and \`ssh-auth\` in task.config: its provider's CONFIRM must return them.`,
    );
  const keyPath = textField(task.fields, 'keyPath');
  const keys = new KeyStore({ keyPaths: [...(keyPath ? [keyPath] : []), join(env.dataDir, 'keys')] });
  const { ipaddress, user, ...rest } = sshauth;
  const target = { name: task.nodeId, address: ipaddress, username: user, ...rest };
  return connectSsh(await sshOptions(target, { keys, signal: hooks.signal, logger: hooks.logger }, { username: 'root' }));
}

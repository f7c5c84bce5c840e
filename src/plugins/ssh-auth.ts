import { isRecord } from './result.js';
import type { PluginTask, SshAuth } from './task.js';

/**
 * An automator's `sshauth`: the provider's conventional `ssh-auth` result
 * (`user`, key name as `keyName` or `key`, `port`, `hostKey`) plus the node's
 * `ipaddress`, both from the flat config. Key text is never carried here.
 */
export function sshAuthOf(task: PluginTask): SshAuth {
  const config = task.config;
  const auth = isRecord(config['ssh-auth']) ? config['ssh-auth'] : {};
  const out: SshAuth = { user: typeof auth.user === 'string' ? auth.user : 'root', ipaddress: str(config.ipaddress) ?? '' };
  const keyName = str(auth.keyName) ?? str(auth.key);
  if (keyName !== undefined) out.keyName = keyName;
  const port = typeof auth.port === 'number' ? auth.port : undefined;
  if (port !== undefined) out.port = port;
  const hostKey = str(auth.hostKey) ?? str(config.hostkey) ?? str(config.hostKey);
  if (hostKey !== undefined) out.hostKey = hostKey;
  return out;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

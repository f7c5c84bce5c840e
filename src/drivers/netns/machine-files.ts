import { existsSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DriverError } from '../../errors.js';
import { hostKeyFingerprint } from '../../transport/host-key.js';
import { ensurePrivsepDir, writeSshdConfig } from '../../transport/sshd-config.js';

/** Where one machine's sshd files live: `<driver dir>/<namespace>/`. */
export interface MachineFiles {
  dir: string;
  config: string;
  hostKey: string;
  authorizedKeys: string;
  log: string;
}

export function machineFiles(driverDir: string, namespace: string): MachineFiles {
  const dir = join(driverDir, namespace);
  return {
    dir,
    config: join(dir, 'sshd_config'),
    hostKey: join(dir, 'ssh_host_ed25519_key'),
    authorizedKeys: join(dir, 'authorized_keys'),
    log: join(dir, 'sshd.log'),
  };
}

/**
 * Write the machine's sshd config with the public half of `privateKey` as its
 * only authorized key; the host key is generated once and kept on resume.
 * Returns the host key's fingerprint, pinned before the first connect.
 */
export async function prepareSshd(
  files: MachineFiles,
  address: string,
  privateKey: string,
  keyName: string,
  signal?: AbortSignal,
): Promise<string> {
  await mkdir(files.dir, { recursive: true, mode: 0o700 });
  if (!existsSync(`${files.hostKey}.pub`)) await rm(files.hostKey, { force: true }); // half-written by a crash
  const { default: ssh2 } = await import('ssh2'); // loaded when a machine is made, not with the library
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) throw new DriverError(`Key "${keyName}" is not a private key ssh2 can read: ${parsed.message}`);
  await ensurePrivsepDir();
  await writeSshdConfig({
    dir: files.dir,
    listen: [{ host: address, port: 22 }],
    authorizedKeys: `${parsed.type} ${parsed.getPublicSSH().toString('base64')} ${keyName}`,
    hostKeyPath: files.hostKey,
    ...(signal ? { signal } : {}),
  });
  const pub = (await readFile(`${files.hostKey}.pub`, 'utf8')).split(' ')[1] ?? '';
  return hostKeyFingerprint(Buffer.from(pub, 'base64'));
}

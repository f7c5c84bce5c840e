import { readFile } from 'node:fs/promises';
import { execa } from 'execa';

export interface KeyPair {
  privateKeyPath: string;
  publicKeyPath: string;
  /** The `ssh-ed25519 AAAA… comment` line for an authorized_keys file. */
  publicKey: string;
}

/**
 * Make an ed25519 key pair without a passphrase at `path` (and `path.pub`)
 * with ssh-keygen. Refuses to overwrite: ssh-keygen fails if `path` exists.
 */
export async function generateKeyPair(path: string, options: { comment?: string; signal?: AbortSignal } = {}): Promise<KeyPair> {
  await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', options.comment ?? 'groundwork', '-f', path], {
    stdin: 'ignore',
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  const publicKeyPath = `${path}.pub`;
  return { privateKeyPath: path, publicKeyPath, publicKey: (await readFile(publicKeyPath, 'utf8')).trim() };
}

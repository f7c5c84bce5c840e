import { existsSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { ConfigError } from '../errors.js';

const SET_ENV = /^\s*SetEnv\s/i;

/** Where Debian's openssh-server puts the daemon. */
export const SSHD_PATH = '/usr/sbin/sshd';

export interface SshdConfigOptions {
  /** Folder for the config, authorized_keys and (by default) the host key; must exist. */
  dir: string;
  /** Addresses sshd listens on. */
  listen: readonly { host: string; port: number }[];
  /** authorized_keys content: one or more public key lines. */
  authorizedKeys: string;
  /** Host key file; generated (ed25519) if missing. Default `<dir>/ssh_host_ed25519_key`. */
  hostKeyPath?: string;
  /** sshd's LogLevel; default ERROR. INFO makes it print "Server listening on …" once it listens. */
  logLevel?: 'QUIET' | 'FATAL' | 'ERROR' | 'INFO' | 'VERBOSE' | 'DEBUG';
  /** Extra `Keyword value` lines appended to the config (sshd keeps the first value of a keyword, so only for keywords not set here). */
  extra?: readonly string[];
  signal?: AbortSignal;
}

export interface SshdConfig {
  configPath: string;
  hostKeyPath: string;
  authorizedKeysPath: string;
}

/**
 * Write an sshd_config for a private sshd (`/usr/sbin/sshd -D -e -f <configPath>`):
 * key-only login (root allowed), no PAM, no pid file, StrictModes off so temp
 * folders work. Run it as root; sshd also needs `/run/sshd` (see ensurePrivsepDir).
 */
export async function writeSshdConfig(options: SshdConfigOptions): Promise<SshdConfig> {
  if (options.listen.length === 0)
    throw new ConfigError(
      'writeSshdConfig: `listen` is empty; give at least one address to listen on, e.g. [{ host: "127.0.0.1", port: 2222 }].',
    );
  const hostKeyPath = options.hostKeyPath ?? join(options.dir, 'ssh_host_ed25519_key');
  if (!existsSync(hostKeyPath)) {
    await execa('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'groundwork-host', '-f', hostKeyPath], {
      stdin: 'ignore',
      ...(options.signal ? { cancelSignal: options.signal } : {}),
    });
  }
  const authorizedKeysPath = join(options.dir, 'authorized_keys');
  await writeFile(authorizedKeysPath, options.authorizedKeys.endsWith('\n') ? options.authorizedKeys : `${options.authorizedKeys}\n`, {
    mode: 0o600,
  });
  const extra = options.extra ?? [];
  const extraEnv = extra.filter((line) => SET_ENV.test(line)).flatMap((line) => line.trim().split(/\s+/).slice(1));
  const lines = [
    ...options.listen.map(({ host, port }) => `ListenAddress ${host.includes(':') ? `[${host}]` : host}:${port}`),
    `HostKey ${hostKeyPath}`,
    `AuthorizedKeysFile ${authorizedKeysPath}`,
    'PidFile none',
    'UsePAM no',
    'StrictModes no',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'UseDNS no',
    // bash runs ~/.bashrc for a command that comes over SSH unless SHLVL says it is nested; a
    // heavy .bashrc (pyenv init, say) would cost every command of every step a fraction of a second.
    // sshd takes only its first SetEnv line, so the caller's variables join this one.
    `SetEnv SHLVL=1 ${extraEnv.join(' ')}`.trimEnd(),
    'Subsystem sftp internal-sftp',
    `LogLevel ${options.logLevel ?? 'ERROR'}`,
    ...extra.filter((line) => !SET_ENV.test(line)),
  ];
  const configPath = join(options.dir, 'sshd_config');
  await writeFile(configPath, `${lines.join('\n')}\n`, { mode: 0o600 });
  await chmod(hostKeyPath, 0o600);
  return { configPath, hostKeyPath, authorizedKeysPath };
}

/** sshd refuses to start without its privilege-separation folder. */
export async function ensurePrivsepDir(): Promise<void> {
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
}

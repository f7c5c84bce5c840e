import { ConfigError } from '../../errors.js';
import { SSHD } from './sshd-process.js';

export interface NetnsDriverConfig {
  /** Addresses come from here, one /30 per machine (default `10.200.0.0/16`). */
  subnet: string;
  /** Namespace names start with `<prefix>-<state id>-` (default `gw`). */
  prefix: string;
  /** Login user (default `root`). */
  username: string;
  /** How long sshd gets to answer (default 15 s). */
  readyTimeoutMs: number;
  /** How long SSH connects are retried (default 15 s). */
  connectDeadlineMs: number;
  /** Machines handled at once by the batch forms (default 8). */
  concurrency: number;
  /** OpenSSH's sshd, started inside each namespace (default `/usr/sbin/sshd`). */
  sshdPath: string;
}

/** Check the driver config; messages name the field and the bad value. */
export function readConfig(config: Readonly<Record<string, unknown>>): NetnsDriverConfig {
  const fail = (field: string, expected: string): never => {
    throw new ConfigError(`netns driver: expected \`${field}\` to be ${expected}, got ${JSON.stringify(config[field])}.`);
  };
  const text = (field: string, fallback: string, pattern: RegExp, expected: string): string => {
    const value = config[field] ?? fallback;
    if (typeof value !== 'string' || !pattern.test(value)) fail(field, expected);
    return value as string;
  };
  const count = (field: string, fallback: number): number => {
    const value = config[field] ?? fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) fail(field, 'a positive integer');
    return value as number;
  };
  return {
    subnet: text('subnet', '10.200.0.0/16', /./, 'an IPv4 CIDR'),
    prefix: text('prefix', 'gw', /^[a-z][a-z0-9]{0,7}$/, 'up to 8 lowercase letters or digits, starting with a letter'),
    username: text('username', 'root', /^[a-z_][a-z0-9_-]*$/, 'a user name'),
    readyTimeoutMs: count('readyTimeoutMs', 15_000),
    connectDeadlineMs: count('connectDeadlineMs', 15_000),
    concurrency: count('concurrency', 8),
    sshdPath: text('sshdPath', SSHD, /^\//, 'an absolute path to OpenSSH sshd'),
  };
}

import type { Logger } from '../logger.js';
import type { SshConnectOptions } from '../transport/connect.js';
import type { KeyLookup } from './driver.js';

/** Where a machine is reached over SSH: a reference's fields, or a Machines output entry. */
export interface SshTarget {
  readonly name: string;
  readonly address: string;
  readonly port?: number | undefined;
  readonly username?: string | undefined;
  readonly hostKey?: string | undefined;
  readonly keyName?: string | undefined;
}

/** What a connect needs from its caller (a DriverContext or a provisioner's). */
export interface SshContext {
  readonly keys: KeyLookup;
  readonly signal: AbortSignal;
  readonly logger: Logger;
}

export interface SshDefaults {
  /** When the target names no user. */
  username: string;
  connectDeadlineMs?: number;
}

/** connectSsh's options for `target`: its private key looked up by name (never stored), its host key pinned when known. */
export async function sshOptions(target: SshTarget, ctx: SshContext, defaults: SshDefaults): Promise<SshConnectOptions> {
  return {
    name: target.name,
    host: target.address,
    port: target.port ?? 22,
    username: target.username ?? defaults.username,
    privateKey: await ctx.keys.privateKey(target.keyName ?? ''),
    ...(target.hostKey ? { hostKey: target.hostKey } : {}),
    ...(defaults.connectDeadlineMs !== undefined ? { connectDeadlineMs: defaults.connectDeadlineMs } : {}),
    signal: ctx.signal,
    logger: ctx.logger,
  };
}

import { join } from 'node:path';
import { sshOptions } from '../../drivers/ssh-options.js';
import { KeyStore } from '../../keys/key-store.js';
import type { Machine } from '../../machines/machine.js';
import { connectSsh } from '../../transport/connect.js';
import type { ProvisionerContext } from '../contract.js';
import type { MachineInfo } from '../machines/machines.js';

export interface ConnectSettings {
  keyPaths: string[] | undefined;
  /** Give up connecting after this long (a machine that is gone should not hold a teardown for 30 s). */
  connectDeadlineMs?: number;
  signal?: AbortSignal;
}

/**
 * Run `fn` with an SSH connection to `info` (host key pinned from it), closed
 * afterwards also when `fn` throws: one connection per machine and call.
 */
export async function withMachine<T>(
  info: MachineInfo,
  ctx: Pick<ProvisionerContext, 'dataDir' | 'signal' | 'logger'>,
  settings: ConnectSettings,
  fn: (machine: Machine) => Promise<T>,
): Promise<T> {
  const keys = new KeyStore({ keyPaths: settings.keyPaths ?? [join(ctx.dataDir, 'keys')] });
  const signal = settings.signal ?? ctx.signal;
  const options = await sshOptions(
    info,
    { keys, signal, logger: ctx.logger },
    { username: 'root', ...(settings.connectDeadlineMs !== undefined ? { connectDeadlineMs: settings.connectDeadlineMs } : {}) },
  );
  const machine = await connectSsh(settings.connectDeadlineMs !== undefined ? { ...options, readyTimeoutMs: settings.connectDeadlineMs } : options);
  try {
    return await fn(machine);
  } finally {
    await machine.close();
  }
}

import type { SFTPWrapper } from 'ssh2';
import { MachineTransferError } from '../errors.js';
import type { TransferOptions } from '../machines/machine.js';
import type { SshLink } from './link.js';
import { DEFAULT_TRANSFER_TIMEOUT_MS, timeoutOption, watchOperation } from '../machines/operation.js';

/** One SFTP operation: `run` calls `done` once. */
type SftpRun<T> = (sftp: SFTPWrapper, done: (error: unknown, value?: T) => void) => void;

/**
 * Open an SFTP session for one operation, with its own timeout and signal.
 * Stopping ends the session, which fails whatever is in flight on it.
 * ssh2's SFTP is used directly: node-ssh's getFile/putFile take no signal.
 */
export function withSftp<T>(link: SshLink, operation: string, path: string, options: TransferOptions, run: SftpRun<T>): Promise<T> {
  const timeoutMs = timeoutOption(options.timeout, DEFAULT_TRANSFER_TIMEOUT_MS);
  return new Promise<T>((resolve, reject) => {
    let session: SFTPWrapper | undefined;
    let done = false;
    const finish = (error: unknown, value?: T, stop?: 'timeout' | 'abort') => {
      if (done) return;
      done = true;
      watch.dispose();
      unsubscribe();
      session?.end();
      if (error === undefined && stop === undefined) return resolve(value as T);
      reject(
        new MachineTransferError({
          machine: link.machine,
          operation,
          path,
          timedOut: stop === 'timeout',
          isCanceled: stop === 'abort',
          timeoutMs,
          cause: error,
        }),
      );
    };
    const watch = watchOperation(timeoutMs, options.signal, (why) => finish(undefined, undefined, why));
    const unsubscribe = link.onGone((error) => finish(error));
    const gone = link.gone();
    if (gone) return finish(gone);
    try {
      link.client.sftp((error, sftp) => {
        if (error) return finish(link.gone() ?? error);
        session = sftp;
        if (done) return sftp.end();
        sftp.on('error', (e: unknown) => finish(e));
        run(sftp, (e, value) => (e ? finish(e) : finish(undefined, value)));
      });
    } catch (error) {
      finish(link.gone() ?? error);
    }
  });
}

import { open } from 'node:fs/promises';
import { execa, type Result } from 'execa';
import { describeError, ProcessError } from '../errors.js';

export interface DetachedOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** Where stdout and stderr go (truncated first). */
  logFile: string;
}

/**
 * Start a process in its own process group, writing straight to its log file
 * (not piped through us: a pipe would break when we exit), so that it outlives
 * this process and can be stopped as a whole. Rejects with the cause if it
 * could not be started; `exit` settles when it ends (while we still run).
 */
export async function spawnDetached(
  command: string,
  args: readonly string[],
  options: DetachedOptions,
): Promise<{ pid: number; exit: Promise<Pick<Result, 'exitCode' | 'signal'>> }> {
  const log = await open(options.logFile, 'w');
  try {
    const child = execa(command, args, {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.env ? { env: options.env } : {}),
      detached: true,
      cleanup: false,
      reject: false,
      stdin: 'ignore',
      // execa's types only list fds 3-9, but any open fd is handed to spawn as-is.
      stdout: log.fd as 3,
      stderr: log.fd as 3,
    });
    child.unref();
    if (child.pid === undefined) {
      const cause = (await child).cause;
      throw new ProcessError(
        `Could not start ${command}${cause === undefined ? '' : `: ${describeError(cause)}`}. Check that the command is installed and on PATH (or give its full path), and that cwd exists.`,
        { command, cause },
      );
    }
    return { pid: child.pid, exit: child };
  } finally {
    await log.close();
  }
}

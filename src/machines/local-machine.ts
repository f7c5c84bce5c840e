import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { MachineTransferError } from '../errors.js';
import { signalGroup } from '../os/process-tree.js';
import type { ExecuteOptions, ExecuteResult, Machine, TransferOptions } from './machine.js';
import { DEFAULT_COMMAND_TIMEOUT_MS, settle, timeoutOption, watchOperation } from './operation.js';

/** How long a timed-out or cancelled command's process group may take to exit after TERM before it is KILLed. */
const FORCE_KILL_AFTER_MS = 2_000;

/**
 * This host as a Machine: commands run through execa in a shell, files move
 * with node:fs. Same results and errors as an SshMachine.
 */
export class LocalMachine implements Machine {
  readonly name: string;
  readonly address = '127.0.0.1';

  constructor(name = 'local') {
    this.name = name;
  }

  async execute(command: string, options: ExecuteOptions = {}): Promise<ExecuteResult> {
    const timeoutMs = timeoutOption(options.timeout, DEFAULT_COMMAND_TIMEOUT_MS);
    // Cancelled before it began: the command never runs (as over SSH).
    if (options.signal?.aborted) {
      const result: ExecuteResult = {
        machine: this.name,
        command,
        exitCode: undefined,
        signal: undefined,
        stdout: '',
        stderr: '',
        durationMs: 0,
        timedOut: false,
        isCanceled: true,
        failed: true,
      };
      return settle(result, options.reject, { timeoutMs, cause: undefined });
    }
    // Its own process group (detached), so stopping it also stops what the shell started,
    // which may hold the output pipes open long after the shell itself is gone.
    const subprocess = execa(command, {
      shell: true,
      detached: true,
      reject: false,
      stdin: 'ignore',
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    if (options.onOutput) {
      const onOutput = options.onOutput;
      subprocess.stdout.setEncoding('utf8').on('data', (chunk: string) => onOutput(chunk, 'stdout'));
      subprocess.stderr.setEncoding('utf8').on('data', (chunk: string) => onOutput(chunk, 'stderr'));
    }
    const pid = subprocess.pid;
    let stoppedBy: 'timeout' | 'abort' | undefined;
    let forceKill: NodeJS.Timeout | undefined;
    const watch = watchOperation(timeoutMs, options.signal, (why) => {
      stoppedBy = why;
      stopGroup(pid, 'SIGTERM');
      forceKill = setTimeout(() => stopGroup(pid, 'SIGKILL'), FORCE_KILL_AFTER_MS);
    });
    let done;
    try {
      done = await subprocess;
    } finally {
      watch.dispose();
      clearTimeout(forceKill);
    }
    const result: ExecuteResult = {
      machine: this.name,
      command,
      exitCode: stoppedBy === undefined ? done.exitCode : undefined,
      signal: stoppedBy === undefined ? done.signal : undefined,
      stdout: String(done.stdout),
      stderr: String(done.stderr),
      durationMs: Math.round(done.durationMs),
      timedOut: stoppedBy === 'timeout',
      isCanceled: stoppedBy === 'abort',
      failed: done.failed || stoppedBy !== undefined,
    };
    // execa's own error only adds a cause when the shell could not start.
    return settle(result, options.reject, {
      timeoutMs,
      cause: done.exitCode === undefined && done.signal === undefined ? done.cause : undefined,
    });
  }

  uploadFile(localPath: string, remotePath: string, options: TransferOptions = {}): Promise<void> {
    return this.#transfer('uploadFile', remotePath, options, () => copyFile(localPath, remotePath));
  }

  downloadFile(remotePath: string, localPath: string, options: TransferOptions = {}): Promise<void> {
    return this.#transfer('downloadFile', remotePath, options, () => copyFile(remotePath, localPath));
  }

  writeFile(remotePath: string, content: string | Uint8Array, options: TransferOptions = {}): Promise<void> {
    return this.#transfer('writeFile', remotePath, options, () =>
      writeFile(remotePath, content, options.signal ? { signal: options.signal } : {}),
    );
  }

  readFile(remotePath: string, options: TransferOptions = {}): Promise<Buffer> {
    return this.#transfer('readFile', remotePath, options, () => readFile(remotePath, options.signal ? { signal: options.signal } : {}));
  }

  async #transfer<T>(operation: string, path: string, options: TransferOptions, run: () => Promise<T>): Promise<T> {
    if (options.signal?.aborted)
      throw new MachineTransferError({ machine: this.name, operation, path, isCanceled: true, cause: options.signal.reason });
    try {
      return await run();
    } catch (error) {
      const isCanceled = options.signal?.aborted ?? false;
      throw new MachineTransferError({ machine: this.name, operation, path, isCanceled, cause: error });
    }
  }

  /** Nothing to close; kept for the Machine contract. */
  async close(): Promise<void> {}

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

// Called from a timer, so it must not throw; the awaited subprocess ends once the group exits.
function stopGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    signalGroup(pid, signal);
  } catch {
    // not ours to signal (EPERM): nothing more to do here
  }
}

/**
 * A ready, connectable machine (chef-provisioning's `Machine`): run commands
 * and move files. Returned by a driver's `readyMachine` / `connectToMachine`.
 * A Machine owns its connection: call `close()` (or `await using`) when done.
 */
export interface Machine extends AsyncDisposable {
  /** The machine's name, as given in its spec. */
  readonly name: string;
  /** Where it can be reached (an IP address, or 127.0.0.1 for the local machine). */
  readonly address: string;
  execute(command: string, options?: ExecuteOptions): Promise<ExecuteResult>;
  uploadFile(localPath: string, remotePath: string, options?: TransferOptions): Promise<void>;
  downloadFile(remotePath: string, localPath: string, options?: TransferOptions): Promise<void>;
  writeFile(remotePath: string, content: string | Uint8Array, options?: TransferOptions): Promise<void>;
  readFile(remotePath: string, options?: TransferOptions): Promise<Buffer>;
  close(): Promise<void>;
}

export interface ExecuteOptions {
  /** Milliseconds before the command is stopped and fails with `timedOut`. Default 60,000. */
  readonly timeout?: number;
  /** Aborting stops the command (the channel is closed) and it fails with `isCanceled`. */
  readonly signal?: AbortSignal;
  /** Called with each chunk of output as it arrives. */
  readonly onOutput?: (chunk: string, stream: 'stdout' | 'stderr') => void;
  /** Working directory on the machine. */
  readonly cwd?: string;
  /** Resolve with a non-zero `exitCode` instead of throwing `MachineCommandError`. Default false. */
  readonly reject?: boolean;
}

export interface TransferOptions {
  readonly timeout?: number;
  readonly signal?: AbortSignal;
}

/** What a command did. `MachineCommandError` carries the same fields. */
export interface ExecuteResult {
  readonly machine: string;
  readonly command: string;
  /** `undefined` when the command was killed by a signal, timed out, was cancelled or the connection dropped. */
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** Milliseconds. */
  readonly durationMs: number;
  readonly timedOut: boolean;
  readonly isCanceled: boolean;
  readonly failed: boolean;
}

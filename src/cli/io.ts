export type Write = (line: string) => void;

export interface CliIo {
  out: Write;
  err: Write;
  cwd: string;
  /** Aborted on a second SIGINT (or SIGTERM) by runCli: cancels the steps in flight. */
  signal: AbortSignal;
  /** Aborted on the first SIGINT: no new step starts, those in flight finish. */
  stopSignal?: AbortSignal;
}

/** The run options' two signals, as `io` has them. */
export function signals(io: CliIo): { signal: AbortSignal; stopSignal?: AbortSignal } {
  return io.stopSignal ? { signal: io.signal, stopSignal: io.stopSignal } : { signal: io.signal };
}

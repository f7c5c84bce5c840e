import type { Display } from './progress/display.js';

export type Write = (line: string) => void;

export interface CliIo {
  out: Write;
  err: Write;
  cwd: string;
  /** Aborted on a second SIGINT (or SIGTERM) by runCli: cancels the steps in flight. */
  signal: AbortSignal;
  /** Aborted on the first SIGINT: no new step starts, those in flight finish. */
  stopSignal?: AbortSignal;
  /** Live view and colour (runCli decides from the terminal and NO_COLOR/CI); plain lines without it. */
  display?: Display;
  /** Set under --json (provision, teardown, deprovision): stdout, for NDJSON only; `out` is then stderr. */
  ndjson?: Write;
}

/** The run options' two signals, as `io` has them. */
export function signals(io: CliIo): { signal: AbortSignal; stopSignal?: AbortSignal } {
  return io.stopSignal ? { signal: io.signal, stopSignal: io.stopSignal } : { signal: io.signal };
}

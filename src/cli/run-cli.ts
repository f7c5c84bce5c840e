import { main } from './main.js';
import { decideDisplay } from './progress/display.js';

export interface RunCliOptions {
  /** Arguments after the program name (default `process.argv.slice(2)`). */
  argv?: readonly string[];
  /** Working folder the config and state paths are resolved from (default `process.cwd()`). */
  cwd?: string;
}

/**
 * The whole command line for a user's own `tasks.ts` (and the `groundwork`
 * bin): parses argv, handles Ctrl-C and SIGTERM, prints, and sets
 * `process.exitCode`. Resolves with the exit code; never rejects.
 *
 * The first Ctrl-C stops gracefully: no new step starts, the steps in flight
 * finish and are recorded. A second Ctrl-C, or SIGTERM, cancels the steps in
 * flight through their AbortSignal. Either way the lock is released before exit.
 */
export async function runCli(options: RunCliOptions = {}): Promise<number> {
  const stop = new AbortController();
  const cancel = new AbortController();
  const cancelNow = (signal: NodeJS.Signals) => {
    process.stderr.write(`\nInterrupted (${signal}): cancelling in-flight steps and recording them…\n`);
    cancel.abort(new Error(`interrupted by ${signal}`));
  };
  const onSigint = () => {
    if (stop.signal.aborted) return cancelNow('SIGINT');
    process.stderr.write('\nStopping: no new steps start; steps in flight finish and are recorded. Press Ctrl-C again to cancel them.\n');
    stop.abort(new Error('stopped by SIGINT'));
  };
  const onSigterm = () => cancelNow('SIGTERM');
  // `groundwork status | head`: a reader that went away is not a failure of ours. Left
  // attached: the pipe can break while the last lines are still being flushed.
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  };
  process.on('SIGINT', onSigint);
  process.once('SIGTERM', onSigterm);
  process.stdout.on('error', onStdoutError);
  try {
    const display = decideDisplay(process.env, process.stdout);
    const terminal = display.terminal;
    const code = await main(options.argv ?? process.argv.slice(2), {
      out: terminal ? (line) => terminal.print(line) : (line) => process.stdout.write(`${line}\n`),
      err: terminal ? (line) => (terminal.frame?.clear(), process.stderr.write(`${line}\n`)) : (line) => process.stderr.write(`${line}\n`),
      display,
      cwd: options.cwd ?? process.cwd(),
      signal: cancel.signal,
      stopSignal: stop.signal,
    });
    process.exitCode = code;
    return code;
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}

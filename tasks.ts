// The command line: `npx tsx tasks.ts <task>`. See `--help`.
import { main } from './src/cli/main.js';

// The first Ctrl-C stops gracefully: no new step starts, the steps in flight
// finish and are recorded. A second Ctrl-C, or SIGTERM, cancels the steps in
// flight through their AbortSignal. Either way the lock is released before we exit.
const stop = new AbortController();
const cancel = new AbortController();
const cancelNow = (signal: NodeJS.Signals) => {
  process.stderr.write(`\nInterrupted (${signal}): cancelling in-flight steps and recording them…\n`);
  cancel.abort(new Error(`interrupted by ${signal}`));
};
process.on('SIGINT', () => {
  if (stop.signal.aborted) return cancelNow('SIGINT');
  process.stderr.write('\nStopping: no new steps start; steps in flight finish and are recorded. Press Ctrl-C again to cancel them.\n');
  stop.abort(new Error('stopped by SIGINT'));
});
process.once('SIGTERM', () => cancelNow('SIGTERM'));

process.exitCode = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
  signal: cancel.signal,
  stopSignal: stop.signal,
});

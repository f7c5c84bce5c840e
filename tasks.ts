// The command line: `npx tsx tasks.ts <task>`. See `--help`.
import { main } from './src/cli/main.js';

// Ctrl-C or SIGTERM cancels the in-flight steps through their AbortSignal; what
// finished is recorded and the lock released before we exit.
const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`\nInterrupted (${signal}): cancelling in-flight steps and recording them…\n`);
    controller.abort(new Error(`interrupted by ${signal}`));
  });
}

process.exitCode = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
  signal: controller.signal,
});

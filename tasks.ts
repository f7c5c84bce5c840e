// The command line: `npx tsx tasks.ts <task>`. See `--help`.
import { main } from './src/cli/main.js';

const controller = new AbortController();
process.once('SIGINT', () => {
  process.stderr.write('\nInterrupted: stopping (in-flight steps are cancelled and recorded)…\n');
  controller.abort(new Error('interrupted by SIGINT'));
});

process.exitCode = await main(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  cwd: process.cwd(),
  signal: controller.signal,
});

// `npm test` after the typecheck: the main suite and the cluster example's suite at once. They share
// no resource but the CPU (own subnets, own state files, own PostgreSQL/nginx), and both spend most of
// their time waiting on child processes, SSH and servers, so together they take little more than the
// longer one. The cluster suite's lines are prefixed; the exit code is the first failure's.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const suites = [
  { name: 'main', args: ['vitest', 'run', ...process.argv.slice(2)], prefix: '' },
  { name: 'cluster', args: ['vitest', 'run', '--config', 'examples/cluster/vitest.config.ts'], prefix: '[cluster] ' },
];

const results = await Promise.all(
  suites.map(
    ({ name, args, prefix }) =>
      new Promise((resolve) => {
        const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'pipe'] });
        for (const [stream, out] of [
          [child.stdout, process.stdout],
          [child.stderr, process.stderr],
        ]) {
          createInterface({ input: stream }).on('line', (line) => out.write(`${prefix}${line}\n`));
        }
        child.on('close', (code, signal) => resolve({ name, code: code ?? (signal ? 1 : 0) }));
      }),
  ),
);
for (const { name, code } of results) console.log(`${name} suite: ${code === 0 ? 'passed' : `failed (exit ${code})`}`);
process.exitCode = results.find((r) => r.code !== 0)?.code ?? 0;

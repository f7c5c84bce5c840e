// The command line at scale: provision and teardown of N three-step no-op groups through
// `tasks.ts` (a child node run, stdout a pipe: plain mode) against the library alone (also a
// child, same start-up), and `status` of that state. Usage: npx tsx bench/cli.ts [groups=10000]
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const groups = Number(process.argv[2] ?? 10_000);
const here = new URL('.', import.meta.url).pathname;
const root = join(here, '..');
// Inside this package ("type": "module"), so the generated .ts config loads as ESM; removed at the end.
const dir = await mkdtemp(join(here, '.cli-run-'));

function timed(args: string[]): { ms: number; lines: number } {
  const start = performance.now();
  const out = execFileSync(process.execPath, ['--import', 'tsx', ...args], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 28, env: { ...process.env, CI: 'true' } });
  return { ms: performance.now() - start, lines: out.split('\n').length - 1 };
}

try {
  const config = join(dir, 'groundwork.config.ts');
  await writeFile(
    config,
    `import { defineConfig } from ${JSON.stringify(join(root, 'src/index.ts'))};
import { NoOp } from ${JSON.stringify(join(here, 'noop.ts'))};
const groups = {};
for (let i = 0; i < ${groups}; i++) groups['g' + i] = { provisioners: () => [new NoOp(0), new NoOp(1), new NoOp(2)] };
export default defineConfig({ concurrency: 100, groups });
`,
  );
  const lib = join(here, 'cli-lib.ts');
  const libProvision = timed([lib, 'provision', config, join(dir, 'lib.json')]);
  const libTeardown = timed([lib, 'teardown', config, join(dir, 'lib.json')]);
  const state = join(dir, 'cli.json');
  const cliProvision = timed(['tasks.ts', 'provision', '--config', config, '--state', state]);
  const status = timed(['tasks.ts', 'status', '--state', state, '--config', config]);
  const cliTeardown = timed(['tasks.ts', 'teardown', '--config', config, '--state', state]);
  const f = (n: number) => n.toFixed(0);
  console.log(`| what (${groups.toLocaleString('en-US')} groups × 3 no-op steps) | library ms | command ms | command / library | lines printed |`);
  console.log('| --- | ---: | ---: | ---: | ---: |');
  console.log(`| provision | ${f(libProvision.ms)} | ${f(cliProvision.ms)} | ${(cliProvision.ms / libProvision.ms).toFixed(2)}× | ${cliProvision.lines} |`);
  console.log(`| teardown | ${f(libTeardown.ms)} | ${f(cliTeardown.ms)} | ${(cliTeardown.ms / libTeardown.ms).toFixed(2)}× | ${cliTeardown.lines} |`);
  console.log(`| status of that state | – | ${f(status.ms)} | – | ${status.lines} |`);
  console.log(`teardown / provision through the command: ${(cliTeardown.ms / cliProvision.ms).toFixed(2)}×`);
} finally {
  await rm(dir, { recursive: true, force: true });
}

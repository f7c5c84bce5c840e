// Start-up of the command line: the packaged `groundwork` bin (dist/bin.js, plain node)
// against this repository's tsx path (`tsx tasks.ts`), in one run, runs interleaved A B A B
// so drift of the machine's speed hits both. `status` reads a small state (3 groups) made
// first; `--help` loads no task. Targets (issue 9): status under 0.3 s, --help under 0.2 s.
// Usage: npm run bench:startup [-- --runs 15]   (builds dist/ first if it is missing)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const runs = Number(values.runs);
const root = new URL('..', import.meta.url).pathname;
const tsxLoader = import.meta.resolve('tsx'); // --import tsx would resolve from the cwd
if (!existsSync(join(root, 'dist/bin.js'))) execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });

const dir = await mkdtemp(join(tmpdir(), 'groundwork-startup-'));
try {
  const config = join(dir, 'groundwork.config.ts');
  await writeFile(
    config,
    `import { defineConfig, LocalCommand } from ${JSON.stringify(join(root, 'src/index.ts'))};
export default defineConfig({
  stateFile: 'state.json',
  groups: Object.fromEntries(['a', 'b', 'c'].map((g) => [g, { provisioners: () => [new LocalCommand({ command: 'true' })] }])),
});\n`,
  );
  const state = join(dir, 'state.json');
  execFileSync(process.execPath, ['--import', tsxLoader, join(root, 'tasks.ts'), 'provision', '--config', config], {
    cwd: dir,
    stdio: 'ignore',
  });

  const bin = [process.execPath, join(root, 'dist/bin.js')];
  const tsx = [process.execPath, '--import', tsxLoader, join(root, 'tasks.ts')];
  const cases: Array<[string, string[]]> = [
    ['--help', ['--help']],
    ['status', ['status', '--state', state]],
    ['status --json', ['status', '--json', '--state', state]],
  ];
  const rows = [];
  for (const [name, args] of cases) {
    const a: number[] = [];
    const b: number[] = [];
    time(bin, args); // warm-up: the page cache, not the figures
    time(tsx, args);
    for (let i = 0; i < runs; i++) {
      a.push(time(bin, args));
      b.push(time(tsx, args));
    }
    rows.push({
      command: name,
      'groundwork (bin) ms': median(a),
      'tsx tasks.ts ms': median(b),
      ratio: +(median(a) / median(b)).toFixed(2),
    });
  }
  console.table(rows);
  console.log(JSON.stringify({ runs, rows }));
} finally {
  await rm(dir, { recursive: true, force: true });
}

function time(command: string[], args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(command[0]!, [...command.slice(1), ...args], { cwd: root, stdio: 'ignore' });
  if (result.status !== 0) throw new Error(`${command.join(' ')} ${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  return Math.round(s[Math.floor(s.length / 2)]!);
}

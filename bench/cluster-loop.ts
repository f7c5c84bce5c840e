// The cluster example's feedback loop (issue 10): from the command's start to the
// first test starting, for a cold `vitest run` of the cluster suite and for a
// second run with the cluster kept (GROUNDWORK_KEEP=1), plus teardown; and where
// the cold time goes, per group and step, from `status --json`. Root only.
//   npm run bench:cluster
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const CONFIG = 'examples/cluster/groundwork.config.ts';
const VITEST_CONFIG = 'examples/cluster/vitest.config.ts';
// The first test file is the simple one: the figures are about getting to it.
const FIRST = 'test/simple.test.ts';

interface Timings {
  prerequisitesMs?: number;
  bringUpMs?: number;
  teardownMs?: number;
  warnings?: string[];
}

const dir = await mkdtemp(join(tmpdir(), 'gw-cluster-bench-'));
const tasks = (...args: string[]) => execa('npx', ['tsx', 'tasks.ts', ...args, '--config', CONFIG], { cwd: REPO, reject: false });

async function vitestRun(label: string, keep: boolean): Promise<{ toFirstTestMs: number; totalMs: number; timings: Timings }> {
  const report = join(dir, `${label}.json`);
  const timingsFile = join(dir, `${label}.timings.json`);
  const started = Date.now();
  const run = await execa('npx', ['vitest', 'run', '--config', VITEST_CONFIG, FIRST, '--reporter=json', `--outputFile=${report}`], {
    cwd: REPO,
    reject: false,
    env: { GROUNDWORK_KEEP: keep ? '1' : '0', CLUSTER_TIMINGS_FILE: timingsFile },
  });
  const totalMs = Date.now() - started;
  if (run.exitCode !== 0) throw new Error(`${label} run failed (exit ${run.exitCode}):\n${run.stderr}\n${run.stdout}`);
  const json = JSON.parse(readFileSync(report, 'utf8')) as { testResults: Array<{ startTime: number }> };
  const firstStart = Math.min(...json.testResults.map((r) => r.startTime));
  const timings = existsSync(timingsFile) ? (JSON.parse(readFileSync(timingsFile, 'utf8')) as Timings) : {};
  return { toFirstTestMs: firstStart - started, totalMs, timings };
}

interface StatusJson {
  groups: Array<{ name: string; durationMs: number | null; steps: Array<{ provisioner: string; durationMs: number | null }> }>;
}

const s = (ms: number | undefined | null) => (ms === undefined || ms === null ? '—' : `${(ms / 1000).toFixed(2)} s`);

try {
  await tasks('teardown'); // start cold, whatever an earlier run kept
  const cold = await vitestRun('cold', true);
  const status = JSON.parse((await tasks('status', '--json')).stdout) as StatusJson;
  const kept = await vitestRun('kept', true);
  const tStarted = Date.now();
  const down = await tasks('teardown', '--json');
  const teardownCliMs = Date.now() - tStarted;
  const summary = down.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { event: string; durationMs?: number })
    .find((e) => e.event === 'summary');

  console.log(
    '\n| run | command start → first test | Groundwork bring-up (in the global setup) | prerequisites (ensure-*.sh) | rest (vitest start-up, config load) |',
  );
  console.log('| --- | --- | --- | --- | --- |');
  for (const [label, r] of [
    ['cold', cold],
    ['kept', kept],
  ] as const) {
    const rest = r.toFirstTestMs - (r.timings.bringUpMs ?? 0) - (r.timings.prerequisitesMs ?? 0);
    console.log(`| ${label} | ${s(r.toFirstTestMs)} | ${s(r.timings.bringUpMs)} | ${s(r.timings.prerequisitesMs)} | ${s(rest)} |`);
  }
  for (const [label, r] of [
    ['cold', cold],
    ['kept', kept],
  ] as const)
    if (r.timings.warnings?.length) console.log(`\n${label} run warnings:\n${r.timings.warnings.join('\n')}`);
  console.log(`\nteardown: ${s(summary?.durationMs)} in Groundwork, ${s(teardownCliMs)} for the whole \`tasks.ts teardown\` command`);
  console.log('\nwhere the cold bring-up goes (from status --json):\n');
  console.log('| group | step | provisioner | time |');
  console.log('| --- | --- | --- | --- |');
  for (const g of status.groups) {
    g.steps.forEach((step, i) => console.log(`| ${g.name} | ${i + 1} | ${step.provisioner} | ${s(step.durationMs)} |`));
    console.log(`| **${g.name}** | | | **${s(g.durationMs)}** |`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}

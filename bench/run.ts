// The scheduler with no-op provisioners (3 steps per group) in three shapes,
// with the journal (file) and without persistence (memory), each run in its
// own process; the fsync floor of this disk; the resume of a half-done state.
// Usage: npm run bench [-- --sizes 1000,10000,100000 --shapes flat,layers,chain --concurrency 100]
// Prints one table and writes bench/results.json.
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fsyncFloorMs } from './floor.js';
import { SHAPES, STEPS, type Shape } from './shapes.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '1000,10000,100000' },
    shapes: { type: 'string', default: SHAPES.join(',') },
    concurrency: { type: 'string', default: '100' },
    'resume-groups': { type: 'string', default: '10000' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const shapes = values.shapes.split(',') as Shape[];
const here = new URL('.', import.meta.url).pathname;

function tsx(script: string, args: string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(here, script), ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

type Row = Record<string, number | string | null>;
const dir = await mkdtemp(join(tmpdir(), 'groundwork-bench-'));
try {
  const floorMs = await fsyncFloorMs(dir);
  process.stderr.write(`fsync floor ${floorMs.toFixed(3)} ms\n`);
  const rows: Row[] = [];
  for (const n of sizes) {
    for (const shape of shapes) {
      for (const persistence of ['memory', 'file']) {
        const row = tsx('one.ts', [String(n), shape, persistence, dir, values.concurrency]) as Row;
        rows.push(row);
        process.stderr.write(`${shape} ${n} ${persistence}: ${(row.wallMs as number).toFixed(0)} ms\n`);
        await rm(join(dir, `${shape}-${n}.json`), { force: true });
      }
    }
  }
  const resumeFile = join(dir, 'resume.json');
  try {
    tsx('resume.ts', ['kill', resumeFile, values['resume-groups']]);
  } catch (error) {
    if ((error as { signal?: string }).signal !== 'SIGKILL') throw error;
  }
  const resume = tsx('resume.ts', ['resume', resumeFile, values['resume-groups']]);

  const machine = { cores: cpus().length, cpu: cpus()[0]?.model, node: process.version, fsyncFloorMs: floorMs, stepsPerGroup: STEPS, concurrency: Number(values.concurrency) };
  const f = (v: unknown, digits = 0) => (typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–');
  console.log(`machine: ${machine.cores} cores (${machine.cpu}), Node ${machine.node}; fsync floor ${floorMs.toFixed(3)} ms; concurrency ${machine.concurrency}`);
  console.log('| shape | groups | persistence | wall ms | steps/s | µs/step | dep→dependent p50 / p99 ms | peak RSS MB | bytes written |');
  console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    console.log(
      `| ${r.shape} | ${f(r.groups)} | ${r.persistence} | ${f(r.wallMs)} | ${f(r.stepsPerSec)} | ${f(r.usPerStep, 1)} | ${f(r.depLatencyP50Ms, 3)} / ${f(r.depLatencyP99Ms, 3)} | ${f(r.peakRssMb)} | ${f(r.bytesWritten)} |`,
    );
  }
  console.log(
    `resume of ${f(resume.groups)} groups killed with ${f(resume.provisionedAtKill)} provisioned: load ${f(resume.loadMs)} ms, ` +
      `first step after ${f(resume.firstStepMs)} ms, finished after ${f(resume.totalMs)} ms`,
  );
  await writeFile(join(here, 'results.json'), `${JSON.stringify({ date: new Date().toISOString(), machine, rows, resume }, null, 2)}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}

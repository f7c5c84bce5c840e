// One process provisioning N no-op 3-step groups: the file journal vs PostgresStore
// (a throwaway PostgreSQL 15 on 127.0.0.1 with fsync on, so both are durable per step).
//   tsx bench/workers-store.ts [--sizes 200,1000] [--shapes flat,chain] [--concurrency 100] [--runs 3]
// Prints one table (medians of --runs) for BENCHMARKS.md, "State in PostgreSQL".
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { JsonFileStore, PostgresStore, Scheduler, type StateStore } from '../src/index.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { groups, type Shape, STEPS } from './shapes.js';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '200,1000' },
    shapes: { type: 'string', default: 'flat,chain' },
    concurrency: { type: 'string', default: '100' },
    runs: { type: 'string', default: '3' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const shapes = values.shapes.split(',') as Shape[];
const concurrency = Number(values.concurrency);
const runs = Number(values.runs);

const dir = mkdtempSync(join(tmpdir(), 'groundwork-bench-store-'));
const cluster = await startPostgres({ name: 'bench', fsync: true });
let db = 0;

async function once(shape: Shape, count: number, kind: 'file' | 'postgres'): Promise<{ wallMs: number; openMs: number }> {
  const store: StateStore =
    kind === 'file'
      ? new JsonFileStore(join(dir, `${shape}-${count}-${db++}.json`))
      : new PostgresStore({ url: await cluster.createDatabase(`bench_${db++}`), state: 'bench', dataDir: join(dir, 'data') });
  const start = performance.now();
  const scheduler = await Scheduler.open({ store, concurrency });
  const openMs = performance.now() - start;
  await scheduler.scheduleAll(groups(count, shape));
  const summary = await scheduler.run();
  await scheduler.close();
  if (!summary.ok) throw new Error(`bench run failed (${kind} ${shape} ${count})`);
  return { wallMs: performance.now() - start, openMs };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

try {
  console.log(`Node ${process.version}, concurrency ${concurrency}, medians of ${runs}; PostgreSQL 15 on 127.0.0.1, fsync on`);
  console.log('| shape | groups | state | wall ms | steps/s | µs/step | open ms |');
  console.log('| --- | ---: | --- | ---: | ---: | ---: | ---: |');
  for (const count of sizes) {
    for (const shape of shapes) {
      for (const kind of ['file', 'postgres'] as const) {
        const results = [];
        for (let i = 0; i < runs; i++) results.push(await once(shape, count, kind));
        const wall = median(results.map((r) => r.wallMs));
        const open = median(results.map((r) => r.openMs));
        const steps = count * STEPS;
        console.log(
          `| ${shape} | ${fmt(count)} | ${kind} | ${fmt(wall)} | ${fmt(steps / (wall / 1000))} | ${fmt((wall * 1000) / steps, 1)} | ${fmt(open, 1)} |`,
        );
      }
    }
  }
} finally {
  await cluster.stop();
  rmSync(dir, { recursive: true, force: true });
}

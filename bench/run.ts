// Scheduler throughput with no-op provisioners, persistence on (durable JSON
// file) and off (memory), plus the fsync floor of this disk for comparison.
// Usage: npm run bench [-- --sizes 100,1000]
import { mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { JsonFileStore, MemoryStore, Scheduler, type GroupSpec } from '../src/index.js';
import { NoOp } from './noop.js';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '100,1000' }, steps: { type: 'string', default: '3' } } });
const sizes = values.sizes.split(',').map(Number);
const steps = Number(values.steps);
type Shape = 'flat' | 'chain' | 'layers';

function groups(n: number, shape: Shape): GroupSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `g${i}`,
    dependsOn: shape === 'flat' || i === 0 ? [] : shape === 'chain' ? [`g${i - 1}`] : i < 10 ? [] : [`g${i - 10}`],
    provisioners: () => Array.from({ length: steps }, (_, s) => new NoOp(s)),
  }));
}

async function fsyncFloor(dir: string, count: number): Promise<number> {
  const handle = await open(join(dir, 'floor.bin'), 'w');
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    await handle.write(Buffer.alloc(64, i));
    await handle.datasync();
  }
  await handle.close();
  return (performance.now() - start) / count;
}

interface Row {
  shape: Shape;
  groups: number;
  persistence: 'file' | 'memory';
  wallMs: number;
  stepsPerSec: number;
  stateBytes: number;
  peakRssMb: number;
}

async function one(n: number, shape: Shape, persistence: Row['persistence'], dir: string): Promise<Row> {
  const file = join(dir, `${shape}-${n}-${persistence}.json`);
  const store = persistence === 'file' ? new JsonFileStore(file) : new MemoryStore();
  await using scheduler = await Scheduler.open({ store, concurrency: 16 });
  await scheduler.scheduleAll(groups(n, shape));
  const start = performance.now();
  const summary = await scheduler.run();
  const wallMs = performance.now() - start;
  if (!summary.ok) throw new Error(`bench run failed: ${JSON.stringify(summary.groups.find((g) => g.state !== 'provisioned'))}`);
  const stateBytes = persistence === 'file' ? (await stat(file)).size : 0;
  return {
    shape,
    groups: n,
    persistence,
    wallMs,
    stepsPerSec: (n * steps) / (wallMs / 1000),
    stateBytes,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

const dir = await mkdtemp(join(tmpdir(), 'groundwork-bench-'));
try {
  const floorMs = await fsyncFloor(dir, 200);
  const rows: Row[] = [];
  for (const n of sizes) {
    for (const shape of ['flat', 'layers', 'chain'] as const) {
      for (const persistence of ['memory', 'file'] as const) {
        const row = await one(n, shape, persistence, dir);
        rows.push(row);
        process.stderr.write(`${shape} ${n} ${persistence}: ${row.wallMs.toFixed(0)} ms\n`);
      }
    }
  }
  const machine = { cores: cpus().length, node: process.version, fsyncFloorMs: Number(floorMs.toFixed(3)), stepsPerGroup: steps };
  console.log(`machine: ${machine.cores} cores, Node ${machine.node}; fsync floor ${floorMs.toFixed(3)} ms per small append + fdatasync`);
  console.log('shape   groups  persistence      wall ms   steps/s   state bytes  peak RSS MB');
  for (const r of rows) {
    console.log(
      `${r.shape.padEnd(7)} ${String(r.groups).padStart(6)}  ${r.persistence.padEnd(11)} ${r.wallMs.toFixed(0).padStart(10)} ${r.stepsPerSec.toFixed(0).padStart(9)} ${String(r.stateBytes).padStart(13)} ${r.peakRssMb.toFixed(0).padStart(12)}`,
    );
  }
  await writeFile(new URL('./results.json', import.meta.url), `${JSON.stringify({ machine, rows }, null, 2)}\n`);
} finally {
  await rm(dir, { recursive: true, force: true });
}

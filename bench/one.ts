// One benchmark run, in its own process so that its peak RSS is its own:
//   tsx bench/one.ts <groups> <shape> <file|memory> <dir> <concurrency>
// Prints one JSON line with the figures.
import { join } from 'node:path';
import { JsonFileStore, MemoryStore, Scheduler } from '../src/index.js';
import { firstStartup } from './noop.js';
import { groups, type Shape, STEPS } from './shapes.js';

const [n, shape, persistence, dir, concurrency] = process.argv.slice(2);
const count = Number(n);
const store = persistence === 'file' ? new JsonFileStore(join(dir!, `${shape}-${count}.json`)) : new MemoryStore();
const specs = groups(count, shape as Shape);

const start = performance.now();
const scheduler = await Scheduler.open({ store, concurrency: Number(concurrency) });
const finished = new Map<string, number>();
scheduler.on('group:finish', ({ group }) => finished.set(group, performance.now()));
await scheduler.scheduleAll(specs);
const runStart = performance.now();
const summary = await scheduler.run();
const runMs = performance.now() - runStart;
const bytesWritten = store instanceof JsonFileStore ? store.bytesWritten : 0;
await scheduler.close();
const wallMs = performance.now() - start;
if (!summary.ok) throw new Error(`bench run failed: ${JSON.stringify(summary.groups.find((g) => g.state !== 'provisioned'))}`);

// From a dependency's last step being durable (group:finish follows that write) to its dependent's first startup.
const latencies: number[] = [];
for (const spec of specs) {
  const deps = spec.dependsOn ?? [];
  if (deps.length === 0) continue;
  const ready = Math.max(...deps.map((d) => finished.get(d)!));
  latencies.push(firstStartup.get(spec.name)! - ready);
}
latencies.sort((a, b) => a - b);
const pct = (p: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]! : null);

process.stdout.write(
  `${JSON.stringify({
    shape,
    groups: count,
    persistence,
    wallMs,
    runMs,
    stepsPerSec: (count * STEPS) / (wallMs / 1000),
    usPerStep: (wallMs * 1000) / (count * STEPS),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    bytesWritten,
    depLatencyP50Ms: pct(50),
    depLatencyP99Ms: pct(99),
  })}\n`,
);

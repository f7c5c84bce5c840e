// Resume of a half-done state: `tsx bench/resume.ts kill <stateFile> <groups>`
// provisions layers and SIGKILLs itself once half the groups are provisioned;
// `tsx bench/resume.ts resume <stateFile> <groups>` then loads it and finishes,
// printing how long the load took and how long until the first step ran again.
import { JsonFileStore, Scheduler } from '../src/index.js';
import { groups } from './shapes.js';

const [mode, stateFile, n] = process.argv.slice(2);
const count = Number(n);
const start = performance.now();
const scheduler = await Scheduler.open({ store: new JsonFileStore(stateFile!), concurrency: 100 });
const loadMs = performance.now() - start;

if (mode === 'kill') {
  let provisioned = 0;
  scheduler.on('group:finish', () => {
    if (++provisioned === count / 2) process.kill(process.pid, 'SIGKILL');
  });
  await scheduler.scheduleAll(groups(count, 'layers'));
  await scheduler.run();
  throw new Error('the run finished before half of it was provisioned');
}

let firstStepMs: number | undefined;
scheduler.on('step:start', () => (firstStepMs ??= performance.now() - start));
const before = scheduler.status().filter((g) => g.state === 'provisioned').length;
const summary = await scheduler.run();
const totalMs = performance.now() - start;
await scheduler.close();
if (!summary.ok) throw new Error('the resumed run failed');
process.stdout.write(`${JSON.stringify({ groups: count, provisionedAtKill: before, loadMs, firstStepMs, totalMs })}\n`);

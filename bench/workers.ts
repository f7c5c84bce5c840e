// Worker mode (issue 12) beside the file-journal single process, in one run on a throwaway
// PostgreSQL: no-op steps with 1/2/4/8 workers; I/O-bound steps (50 ms) with 1/2/4/8 workers ×
// concurrency 8 (weak scaling: --io-rounds groups per slot, so every run keeps all slots busy for
// the same time); dependency→dependent latency; a 1,000-group chain of 3 steps; takeover after
// kill -9. Workers are `tasks.ts worker` children; the bench submits and watches in-process.
// Usage: npm run bench:workers [-- --flat 200 --io-rounds 8 --latency 100 --chain 1000 --takeovers 5 --only noop,io,latency,chain,takeover]
import { execa } from 'execa';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultDriverRegistry } from '../src/drivers/registry.js';
import { SchedulerEvents } from '../src/events.js';
import { silentLogger } from '../src/logger.js';
import { Scheduler } from '../src/scheduler/scheduler.js';
import { defaultRegistry } from '../src/serialize/default-registry.js';
import { JsonFileStore } from '../src/state/file-store.js';
import { submitProvision } from '../src/workers/submitter.js';
import { EventBridge, waitForTargets } from '../src/workers/watch.js';
import { Worker } from '../src/workers/worker.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { benchGroups } from './workers/bench-step.js';

const { values } = parseArgs({
  options: {
    flat: { type: 'string', default: '200' },
    'io-rounds': { type: 'string', default: '8' },
    chain: { type: 'string', default: '1000' },
    latency: { type: 'string', default: '100' },
    takeovers: { type: 'string', default: '5' },
    counts: { type: 'string', default: '1,2,4,8' },
    only: { type: 'string', default: '' },
  },
});
const root = new URL('..', import.meta.url).pathname;
const config = join(root, 'bench/workers/config.ts');
const db = await startPostgres({ name: 'bench-workers' });
const dir = await mkdtemp(join(tmpdir(), 'gw-bench-workers-'));
let run = 0;
/** Each run on a database of its own: no run pays for the rows (and the autovacuum) of the one before. */
interface Run {
  state: string;
  url: string;
}
async function newRun(): Promise<Run> {
  const state = `bench${run++}`;
  return { state, url: await db.createDatabase(state) };
}
function spawnCli({ state, url }: Run, concurrency: number) {
  return execa(
    process.execPath,
    ['--import', 'tsx', 'tasks.ts', 'worker', '--config', config, '--concurrency', String(concurrency), '--lease-timeout', '2'],
    {
      cwd: root,
      reject: false,
      stdin: 'ignore',
      env: { ...process.env, GROUNDWORK_DATABASE_URL: url, GW_BENCH_STATE: state, GW_BENCH_STATE_FILE: join(dir, 'state.json') },
    },
  );
}
type Child = ReturnType<typeof spawnCli>;
const children = new Set<Child>();

// Wrapped: a Child is itself a promise (of its exit), which `await` would wait for.
function spawnWorker(on: Run, concurrency: number): Promise<{ child: Child }> {
  const child = spawnCli(on, concurrency);
  children.add(child);
  return new Promise<void>((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (c: Buffer) => {
      err += c.toString();
      if (/worker \S+ started/.test(err)) resolve();
    });
    void child.then((r) => reject(new Error(`worker exited: ${r.stderr}`)));
  }).then(() => ({ child }));
}

async function stopAll(list: readonly Child[]): Promise<void> {
  for (const c of list) c.kill('SIGTERM');
  await Promise.allSettled(list);
  for (const c of list) children.delete(c);
}

type Groups = ReturnType<typeof benchGroups>;

/** The bench's own submitter (a worker that takes no step) and event bridge on `state`, as `provision --no-work` runs them. */
async function submitterOn({ state, url }: Run, events: SchedulerEvents) {
  const submitter = new Worker({
    url,
    state,
    concurrency: 1,
    leaseTimeoutMs: 2000,
    registry: defaultRegistry(),
    drivers: defaultDriverRegistry(),
    logger: silentLogger,
    dataDir: dir,
    work: false,
  });
  await submitter.start();
  const bridge = new EventBridge(url, state, events);
  await bridge.start();
  const ctx = {
    pool: submitter.pool,
    queue: submitter.queue,
    state,
    registry: defaultRegistry(),
    drivers: defaultDriverRegistry(),
    logger: silentLogger,
    events,
  };
  return {
    submit: (groups: Groups) =>
      submitProvision(
        ctx,
        submitter.stateId,
        Object.entries(groups).map(([name, g]) => ({ name, ...g })),
        Object.keys(groups),
      ),
    settled: (targets: string[]) => waitForTargets(submitter.pool, bridge, state, targets, 'up', new AbortController().signal),
    pool: submitter.pool,
    close: async () => {
      await bridge.close();
      await submitter.close();
    },
  };
}

/** Submit `groups` to `workers` workers of `concurrency` each; ms from submit to all provisioned. */
async function workerRun(groups: Groups, workers: number, concurrency: number, onEvents?: (e: SchedulerEvents) => void) {
  const on = await newRun();
  const list: Child[] = [];
  for (const p of Array.from({ length: workers }, () => spawnWorker(on, concurrency))) list.push((await p).child);
  const events = new SchedulerEvents(silentLogger);
  onEvents?.(events);
  const session = await submitterOn(on, events);
  const t0 = performance.now();
  const outcomes = await session.settled(await session.submit(groups));
  const ms = performance.now() - t0;
  if (!outcomes.every((o) => o.state === 'provisioned'))
    throw new Error(`bench run failed: ${JSON.stringify(outcomes.filter((o) => o.state !== 'provisioned'))}`);
  await session.close();
  await stopAll(list);
  return { ms };
}

async function fileRun(groups: Groups, concurrency: number): Promise<number> {
  const store = new JsonFileStore(join(dir, `file-${run++}.json`), { logger: silentLogger });
  const s = await Scheduler.open({ store, concurrency });
  const t0 = performance.now();
  await s.scheduleAll(Object.entries(groups).map(([name, g]) => ({ name, dependsOn: g.dependsOn, provisioners: g.provisioners })));
  await s.run();
  const ms = performance.now() - t0;
  await s.close();
  return ms;
}

/**
 * Takeover after kill -9: one group of one long step on 2 workers; each time the step starts, the
 * worker running it is killed -9 and a new one spawned; the time from the kill to the step's start
 * on another worker (as the submitter hears it) is one takeover: lease gone with the socket, a sweep
 * (every 200 ms at --lease-timeout 2), the new attempt's NOTIFY, the claim.
 */
async function takeovers(kills: number): Promise<number[]> {
  const on = await newRun();
  const list: Child[] = [];
  for (const p of [spawnWorker(on, 1), spawnWorker(on, 1)]) list.push((await p).child);
  const events = new SchedulerEvents(silentLogger);
  const starts: Array<() => void> = [];
  events.on('step:start', () => starts.shift()?.());
  const session = await submitterOn(on, events);
  const started = () => new Promise<void>((resolve) => starts.push(resolve));
  const times: number[] = [];
  try {
    let next = started();
    await session.submit(benchGroups('flat', 1, 3_600_000, 1));
    await next;
    for (let k = 0; k < kills; k++) {
      const r = await session.pool.query(`select worker from groundwork.steps where state = $1 and group_name = 'b0'`, [on.state]);
      const pid = Number(/-(\d+)-[0-9a-f]+$/.exec(String(r.rows[0].worker))?.[1]);
      const victim = list.find((c) => c.pid === pid);
      if (!victim) throw new Error(`takeover bench: no child runs the step (worker ${r.rows[0].worker})`);
      next = started();
      const t0 = performance.now();
      victim.kill('SIGKILL');
      await next;
      times.push(performance.now() - t0);
      list.splice(list.indexOf(victim), 1);
      children.delete(victim);
      await victim;
      list.push((await spawnWorker(on, 1)).child);
    }
  } finally {
    await session.close();
    for (const c of list) c.kill('SIGKILL'); // their step runs for an hour: no graceful drain
    await Promise.allSettled(list);
    for (const c of list) children.delete(c);
  }
  return times;
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const counts = values.counts.split(',').map(Number);
// --only noop,io,latency,chain,takeover: run just those sections (all by default).
const want = (section: string) => values.only === '' || values.only.split(',').includes(section);
try {
  if (want('noop')) {
    const flat = Number(values.flat);
    const noop = benchGroups('flat', flat, 0);
    console.log(`no-op steps: ${flat} groups × 3 steps`);
    console.log(`  file journal, one process: ${((flat * 3) / ((await fileRun(noop, 8)) / 1000)).toFixed(0)} steps/s`);
    for (const n of counts) {
      const { ms } = await workerRun(noop, n, 8);
      console.log(`  ${n} worker(s) × concurrency 8: ${((flat * 3) / (ms / 1000)).toFixed(0)} steps/s`);
    }
  }
  if (want('io')) {
    const rounds = Number(values['io-rounds']);
    console.log(`I/O-bound steps (50 ms), 3 per group, concurrency 8 per worker, ${rounds} groups per slot (N × 8 × ${rounds} groups)`);
    let one = 0;
    for (const n of counts) {
      const groups = n * 8 * rounds;
      const { ms } = await workerRun(benchGroups('flat', groups, 50), n, 8);
      const rate = (groups * 3) / (ms / 1000);
      if (n === 1) one = rate;
      const ideal = (n * 8) / 0.05;
      console.log(
        `  ${n} worker(s): ${groups} groups in ${(ms / 1000).toFixed(2)} s, ${rate.toFixed(0)} steps/s (${(rate / (one * n)).toFixed(2)} × linear; ${((rate / ideal) * 100).toFixed(0)} % of the ${ideal} steps/s the waits allow)`,
      );
    }
  }
  if (want('latency')) {
    const lat = Number(values.latency);
    const finishAt = new Map<string, number>();
    const sameWorker: number[] = [];
    const acrossWorkers: number[] = [];
    // Ladder rounds: r{k} ends; its worker goes straight on with one dependent, the other is queued and
    // woken on the other worker. The later of the two starts is the dependency → dependent latency across workers.
    const starts = new Map<number, number[]>();
    await workerRun(benchGroups('ladder', lat, 0, 1), 2, 4, (e) => {
      e.on('group:finish', ({ group }) => finishAt.set(group, performance.now()));
      e.on('group:start', ({ group }) => {
        const k = Number(group.slice(1));
        const t = group.startsWith('r') ? undefined : finishAt.get(`r${k}`);
        if (t === undefined) return;
        const both = [...(starts.get(k) ?? []), performance.now() - t];
        starts.set(k, both);
        if (both.length === 2) {
          sameWorker.push(Math.min(...both));
          acrossWorkers.push(Math.max(...both));
        }
      });
    });
    console.log(
      `dependency → dependent (${lat} rounds of one group with two dependents, 2 workers × 4, as the submitter hears NOTIFY): ` +
        `taken by the same worker p50 ${pct(sameWorker, 50).toFixed(1)} ms; through the queue (NOTIFY, fetch, claim by an idle worker) p50 ${pct(acrossWorkers, 50).toFixed(1)} ms, p90 ${pct(acrossWorkers, 90).toFixed(1)} ms`,
    );
  }
  if (want('chain')) {
    const chain = Number(values.chain);
    const { ms: chainMs } = await workerRun(benchGroups('chain', chain, 0), 2, 4);
    console.log(
      `chain of ${chain} groups × 3 steps, 2 workers: ${(chainMs / 1000).toFixed(1)} s (file journal: ${((await fileRun(benchGroups('chain', chain, 0), 8)) / 1000).toFixed(1)} s)`,
    );
  }
  const kills = Number(values.takeovers);
  if (want('takeover') && kills > 0) {
    const t = await takeovers(kills);
    console.log(
      `takeover after kill -9 (${kills} kills, lease timeout 2 s, 2 workers): p50 ${pct(t, 50).toFixed(0)} ms, max ${Math.max(...t).toFixed(0)} ms`,
    );
  }
} finally {
  for (const c of children) c.kill('SIGKILL');
  await Promise.allSettled([...children]);
  await db.stop();
  await rm(dir, { recursive: true, force: true });
}

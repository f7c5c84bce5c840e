// Idle workers wake on NOTIFY (issue 12), not on pg-boss's polling: with the fallback poll
// set to an hour, a worker that went idle before anything was enqueued still runs the whole
// DAG (first steps enqueued by the submitter, dependents by other commits), and
// `groundwork workers` lists it with what it runs.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailability, startPostgres, type StartedPostgres } from '../helpers/postgres.js';
import { waitForFile } from '../helpers/wait.js';
import { cli, startWorker, type Child } from './children.js';
import { checkProvisionLog, fixtureDag, parseLog } from './invariants.js';

const pgReady = await postgresAvailability();

describe.skipIf(!pgReady.available)(`LISTEN/NOTIFY wake-up (${pgReady.reason || 'PostgreSQL 15'})`, () => {
  let db: StartedPostgres;
  let dir: string;
  const children = new Set<Child>();

  beforeAll(async () => {
    db = await startPostgres({ name: 'wake' });
    dir = await mkdtemp(join(tmpdir(), 'gw-wake-'));
  });
  afterAll(async () => {
    for (const c of children) c.proc.kill('SIGKILL');
    await Promise.allSettled([...children].map((c) => c.proc));
    await db?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs a DAG on idle workers woken only by NOTIFY; workers lists them', async () => {
    const log = join(dir, 'steps.log');
    const gate = join(dir, 'g3-1.gate');
    const env = {
      GROUNDWORK_DATABASE_URL: db.url,
      GW_TEST_LOG: log,
      GW_TEST_STATE_FILE: join(dir, 'state.json'),
      GW_TEST_GROUPS: '6',
      GW_TEST_GATE: gate,
      GROUNDWORK_WORKER_POLL_MS: String(3_600_000),
    };
    const workers = [startWorker(env, ['-v']), startWorker(env, ['-v'])];
    for (const w of workers) children.add(w);
    // Both have fetched once, found nothing, and wait: from here only a NOTIFY (or an hour) wakes them.
    await Promise.all(workers.map((w) => w.waitFor(/idle: waiting for jobs/)));
    const submitter = cli(['provision', '--no-work'], env);
    children.add(submitter);

    // g3 step 2 waits on its gate: meanwhile `workers` shows who runs it.
    await waitForFile(log, (t) => t.includes('start g3:1 '), 90_000);
    const listed = await cli(['workers', '--json'], env).proc;
    expect(listed.exitCode, listed.stderr).toBe(0);
    const all = JSON.parse(listed.stdout).workers as Array<{ id: string; pid: number; concurrency: number; running: Array<{ group: string; step: number }> }>;
    // The --no-work submitter is listed too, with concurrency 0 (it only sweeps).
    expect(all.filter((w) => w.concurrency === 0).map((w) => w.pid)).toEqual([submitter.pid]);
    const live = all.filter((w) => w.concurrency > 0);
    expect(live.map((w) => w.pid).sort()).toEqual(workers.map((w) => w.pid).sort());
    expect(live.flatMap((w) => w.running)).toContainEqual(expect.objectContaining({ group: 'g3', step: 1 }));
    expect(listed.stdout).not.toContain(db.password);
    await writeFile(gate, '');

    const result = await submitter.proc;
    expect(result.exitCode, result.stderr).toBe(0);
    expect(checkProvisionLog(parseLog(await readFile(log, 'utf8')), fixtureDag(6), new Set())).toEqual([]);

    const status = await cli(['status'], env).proc;
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`\\(worker \\S+-(${workers.map((w) => w.pid).join('|')})-`));

    for (const w of workers) w.proc.kill('SIGTERM');
    for (const w of workers) expect((await w.proc).exitCode).toBe(0);
  }, 180_000);
});

// Idle workers wake on NOTIFY (issue 12), not on pg-boss's polling: with the fallback poll
// set to an hour, a worker that went idle before anything was enqueued still runs the whole
// DAG (first steps enqueued by the submitter, dependents by other commits), and
// `groundwork workers` lists it with what it runs.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPostgres, useWorkerCluster } from './cluster.js';
import { checkProvisionLog, fixtureDag, parseLog } from './invariants.js';

await describeWithPostgres('LISTEN/NOTIFY wake-up', () => {
  const c = useWorkerCluster('wake');

  it('runs a DAG on idle workers woken only by NOTIFY; workers lists them', async () => {
    const gate = join(c.dir, 'g3-1.gate');
    const env = c.env({ GW_TEST_GROUPS: '6', GW_TEST_GATE: gate, GROUNDWORK_WORKER_POLL_MS: String(3_600_000) });
    // Both have fetched once, found nothing, and wait: from here only a NOTIFY (or an hour) wakes them.
    const workers = await c.workers(2, env, { args: ['-v'], ready: /idle: waiting for jobs/ });
    const submitter = c.cli(['provision', '--no-work'], env);

    // g3 step 2 waits on its gate: meanwhile `workers` shows who runs it.
    await c.logged('start g3:1 ');
    const listed = await c.cli(['workers', '--json'], env).proc;
    expect(listed.exitCode, listed.stderr).toBe(0);
    const all = JSON.parse(listed.stdout).workers as Array<{
      id: string;
      pid: number;
      concurrency: number;
      running: Array<{ group: string; step: number }>;
    }>;
    // The --no-work submitter is listed too, with concurrency 0 (it only sweeps).
    expect(all.filter((w) => w.concurrency === 0).map((w) => w.pid)).toEqual([submitter.pid]);
    const live = all.filter((w) => w.concurrency > 0);
    expect(live.map((w) => w.pid).sort()).toEqual(workers.map((w) => w.pid).sort());
    expect(live.flatMap((w) => w.running)).toContainEqual(expect.objectContaining({ group: 'g3', step: 1 }));
    expect(listed.stdout).not.toContain(c.db.password);
    await writeFile(gate, '');

    const result = await submitter.proc;
    expect(result.exitCode, result.stderr).toBe(0);
    expect(checkProvisionLog(parseLog(await readFile(c.log, 'utf8')), fixtureDag(6), new Set())).toEqual([]);

    const status = await c.cli(['status'], env).proc;
    expect(status.exitCode, status.stderr).toBe(0);
    expect(status.stdout).toMatch(new RegExp(`\\(worker \\S+-(${workers.map((w) => w.pid).join('|')})-`));

    await c.stop(workers);
  }, 180_000);
});

// A worker SIGSTOPped past its lease (issue 12): its step is taken over by another worker,
// and when it is continued its late writes are refused (GW_FENCED) and it moves on.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailability, startPostgres, type StartedPostgres } from '../helpers/postgres.js';
import { waitForFile } from '../helpers/wait.js';
import { cli, startWorker, type Child } from './children.js';
import { parseLog, readRows } from './invariants.js';

const pgReady = await postgresAvailability();

describe.skipIf(!pgReady.available)(`leases and fencing (${pgReady.reason || 'PostgreSQL 15'})`, () => {
  let db: StartedPostgres;
  let dir: string;
  const children = new Set<Child>();

  beforeAll(async () => {
    db = await startPostgres({ name: 'fencing' });
    dir = await mkdtemp(join(tmpdir(), 'gw-fencing-'));
  });
  afterAll(async () => {
    for (const c of children) {
      try {
        process.kill(c.pid, 'SIGCONT');
      } catch {
        // gone already
      }
      c.proc.kill('SIGKILL');
    }
    await Promise.allSettled([...children].map((c) => c.proc));
    await db?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('takes over the step of a stopped worker and refuses its late writes', async () => {
    const log = join(dir, 'steps.log');
    const gate = join(dir, 'g0-0.gate');
    const env = {
      GROUNDWORK_DATABASE_URL: db.url,
      GW_TEST_LOG: log,
      GW_TEST_STATE_FILE: join(dir, 'state.json'),
      GW_TEST_GROUPS: '1',
      GW_TEST_GATE: gate,
      GW_TEST_STEP_MS: '10', // each step checkpoints once after its gate
    };
    const a = startWorker(env, ['--lease-timeout', '2']);
    children.add(a);
    await a.waitFor(/worker \S+ started/);
    const submitter = cli(['provision', '--no-work', '--lease-timeout', '2'], env);
    children.add(submitter);
    await waitForFile(log, (t) => t.includes(`start g0:0 pid=${a.pid}`), 90_000);
    process.kill(a.pid, 'SIGSTOP');

    const b = startWorker(env, ['--lease-timeout', '2']);
    children.add(b);
    // A's session idles out (2 s), a sweeper hands the step to attempt 2, and B takes it.
    await waitForFile(log, (t) => t.includes(`start g0:0 pid=${b.pid}`), 90_000);
    await writeFile(gate, '');
    const provisioned = await submitter.proc;
    expect(provisioned.exitCode, provisioned.stderr).toBe(0);

    process.kill(a.pid, 'SIGCONT');
    await a.waitFor(/attempt 1 \(worker \S+\) lost its lease and was taken over; its write was refused/);

    const rows = await readRows(db.url);
    expect(rows.groups.get('g0')).toBe('provisioned');
    const first = rows.steps.find((s) => s.group === 'g0' && s.idx === 0)!;
    expect(first).toMatchObject({ state: 'done', attempt: 2 });
    expect(first.worker).toContain(`-${b.pid}-`);
    const entries = parseLog(await readFile(log, 'utf8'));
    expect(entries.filter((e) => e.kind === 'done' && e.pid === a.pid)).toEqual([]);
    expect(entries.filter((e) => e.kind === 'start' && e.step === 1).map((e) => e.pid)).toEqual([b.pid]);

    // A moved on: it still serves, and stops cleanly.
    for (const w of [a, b]) w.proc.kill('SIGTERM');
    for (const w of [a, b]) expect((await w.proc).exitCode).toBe(0);
  }, 120_000);
});

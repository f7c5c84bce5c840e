// PostgreSQL restarted mid-run (`pg_ctl restart -m immediate`, issue 12): the workers and the
// submitter reconnect with backoff and finish; only the steps in flight at the restart re-run.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailability, startPostgres, type StartedPostgres } from '../helpers/postgres.js';
import { waitForFile } from '../helpers/wait.js';
import { cli, startWorker, type Child } from './children.js';
import { fixtureDag, parseLog, readRows } from './invariants.js';

const pgReady = await postgresAvailability();
const GROUPS = 6;

describe.skipIf(!pgReady.available)(`PostgreSQL restarted under the workers (${pgReady.reason || 'PostgreSQL 15'})`, () => {
  let db: StartedPostgres;
  let dir: string;
  const children = new Set<Child>();

  beforeAll(async () => {
    db = await startPostgres({ name: 'restart' });
    dir = await mkdtemp(join(tmpdir(), 'gw-restart-'));
  });
  afterAll(async () => {
    for (const c of children) c.proc.kill('SIGKILL');
    await Promise.allSettled([...children].map((c) => c.proc));
    await db?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('reconnects and finishes; nothing acknowledged is lost', async () => {
    const log = join(dir, 'steps.log');
    const env = {
      GROUNDWORK_DATABASE_URL: db.url,
      GW_TEST_LOG: log,
      GW_TEST_STATE_FILE: join(dir, 'state.json'),
      GW_TEST_GROUPS: String(GROUPS),
      GW_TEST_STEP_MS: '400',
    };
    const workers = [startWorker(env), startWorker(env)];
    for (const w of workers) children.add(w);
    await Promise.all(workers.map((w) => w.waitFor(/worker \S+ started/)));
    const submitter = cli(['provision'], env);
    children.add(submitter);
    // Restart once the first layer is done and the second under way.
    await waitForFile(log, (t) => /^start g3:0 /m.test(t), 90_000);
    // `pg_ctl restart -m immediate` in its two halves, so that the log is read while the server is down:
    // a step that started before that point was in flight at the restart, any later start is after it.
    await db.kill();
    const text = await readFile(log, 'utf8');
    const restartAt = text.split('\n').filter(Boolean).length;
    const doneBefore = text.split('\n').filter((l) => l.startsWith('done ')).map((l) => l.split(' ')[1]);
    await db.start();

    const result = await submitter.proc;
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    const rows = await readRows(db.url);
    expect([...rows.groups.values()].every((s) => s === 'provisioned')).toBe(true);

    const entries = parseLog(await readFile(log, 'utf8'));
    const dag = fixtureDag(GROUPS);
    for (const [g, { steps }] of dag) {
      for (let i = 0; i < steps; i++) {
        const starts = entries.filter((e) => e.kind === 'start' && e.group === g && e.step === i);
        expect(starts.length, `${g}:${i}`).toBeGreaterThanOrEqual(1);
        // A re-run only of a step in flight at the restart: each run was an attempt of its own, taken over
        // because the restart ended its lease (a step claimed just before the server went down may log its
        // start just after), never two runs of one attempt.
        const attempt = rows.steps.find((r) => r.group === g && r.idx === i)!.attempt;
        expect(starts.length, `${g}:${i} runs vs attempts`).toBeLessThanOrEqual(attempt);
        const last = starts[starts.length - 1]!;
        expect(last.input).toEqual(i === 0 ? null : { id: `${g}:${i - 1}` });
      }
    }
    // A step whose result was committed before the restart (its dependents or next step started) never ran again.
    for (const id of doneBefore) {
      const [g, i] = id!.split(':');
      const next = entries.find((e) => e.kind === 'start' && e.group === g && e.step === Number(i) + 1 && e.line < restartAt);
      if (next) expect(entries.filter((e) => e.kind === 'start' && `${e.group}:${e.step}` === id).length, id).toBe(1);
    }

    for (const w of workers) w.proc.kill('SIGTERM');
    for (const w of workers) {
      const r = await w.proc;
      expect(r.exitCode, r.stderr).toBe(0);
    }
  }, 180_000);
});

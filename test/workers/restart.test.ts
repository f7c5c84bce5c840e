// PostgreSQL restarted mid-run (`pg_ctl restart -m immediate`, issue 12): the workers and the
// submitter reconnect with backoff and finish; only the steps in flight at the restart re-run.
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { describeWithPostgres, useWorkerCluster } from './cluster.js';
import { fixtureDag, parseLog, readRows } from './invariants.js';

const GROUPS = 6;

await describeWithPostgres('PostgreSQL restarted under the workers', () => {
  const c = useWorkerCluster('restart');

  it('reconnects and finishes; nothing acknowledged is lost', async () => {
    const env = c.env({ GW_TEST_GROUPS: String(GROUPS), GW_TEST_STEP_MS: '400' });
    const workers = await c.workers(2, env);
    const submitter = c.cli(['provision'], env);
    // Restart once the first layer is done and the second under way.
    await c.logged(/^start g3:0 /m);
    // `pg_ctl restart -m immediate` in its two halves, so that the log is read while the server is down:
    // a step that started before that point was in flight at the restart, any later start is after it.
    await c.db.kill();
    const text = await readFile(c.log, 'utf8');
    const restartAt = text.split('\n').filter(Boolean).length;
    const doneBefore = text
      .split('\n')
      .filter((l) => l.startsWith('done '))
      .map((l) => l.split(' ')[1]);
    await c.db.start();

    const result = await submitter.proc;
    expect(result.exitCode, `${result.stdout}\n${result.stderr}`).toBe(0);
    const rows = await readRows(c.url);
    expect([...rows.groups.values()].every((s) => s === 'provisioned')).toBe(true);

    const entries = parseLog(await readFile(c.log, 'utf8'));
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

    await c.stop(workers);
  }, 180_000);
});

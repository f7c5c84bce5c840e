// A worker SIGSTOPped past its lease (issue 12): its step is taken over by another worker,
// and when it is continued its late writes are refused (GW_FENCED) and it moves on.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPostgres, useWorkerCluster } from './cluster.js';
import { parseLog, readRows } from './invariants.js';

await describeWithPostgres('leases and fencing', () => {
  const c = useWorkerCluster('fencing');

  it('takes over the step of a stopped worker and refuses its late writes', async () => {
    const gate = join(c.dir, 'g0-0.gate');
    const env = c.env({
      GW_TEST_GROUPS: '1',
      GW_TEST_GATE: gate,
      GW_TEST_STEP_MS: '10', // each step checkpoints once after its gate
    });
    const lease = ['--lease-timeout', '2'];
    const [a] = await c.workers(1, env, { args: lease });
    const submitter = c.cli(['provision', '--no-work', ...lease], env);
    await c.logged(`start g0:0 pid=${a!.pid}`);
    process.kill(a!.pid, 'SIGSTOP');

    const b = c.worker(env, lease);
    // A's session idles out (2 s), a sweeper hands the step to attempt 2, and B takes it.
    await c.logged(`start g0:0 pid=${b.pid}`);
    await writeFile(gate, '');
    const provisioned = await submitter.proc;
    expect(provisioned.exitCode, provisioned.stderr).toBe(0);

    process.kill(a!.pid, 'SIGCONT');
    await a!.waitFor(/attempt 1 \(worker \S+\) lost its lease and was taken over; its write was refused/);

    const rows = await readRows(c.url);
    expect(rows.groups.get('g0')).toBe('provisioned');
    const first = rows.steps.find((s) => s.group === 'g0' && s.idx === 0)!;
    expect(first).toMatchObject({ state: 'done', attempt: 2 });
    expect(first.worker).toContain(`-${b.pid}-`);
    const entries = parseLog(await readFile(c.log, 'utf8'));
    expect(entries.filter((e) => e.kind === 'done' && e.pid === a!.pid)).toEqual([]);
    expect(entries.filter((e) => e.kind === 'start' && e.step === 1).map((e) => e.pid)).toEqual([b.pid]);

    // A moved on: it still serves, and stops cleanly.
    await c.stop([a!, b]);
  }, 120_000);
});

// `provision --dry-run` with a database (issue 12), single-process and worker mode alike:
// the plan and the drift read from the database, without its lock, changing nothing there
// (no state row on an empty database, the same rows after a provision, no worker registered).
import { expect, it } from 'vitest';
import { readPgState, type PgState } from '../helpers/pg-state.js';
import { describeWithPostgres, useWorkerCluster } from './cluster.js';

/** What a dry run must leave as it was: groups, steps and their attempts. */
const rowsOf = (s: PgState) => JSON.stringify({ state: s.state, groups: s.groups });

await describeWithPostgres('provision --dry-run with a database', () => {
  const c = useWorkerCluster('dry-run');

  it('plans from the database and changes nothing, before and after a provision, in both modes', async () => {
    const env = c.env({ GW_TEST_GROUPS: '4' });

    // An empty database: the plan of fresh groups, and still no state there.
    const fresh = await c.cli(['provision', '--dry-run'], env).proc;
    expect(fresh.exitCode, fresh.stderr).toBe(0);
    expect(fresh.stdout).toContain('Dry run against state "default" in postgres://groundwork:***@');
    expect(fresh.stdout).toContain('(no state yet)');
    expect(fresh.stdout).toMatch(/group g3:\n {2}1\. LogStep:/);
    expect(fresh.stdout + fresh.stderr).not.toContain(c.db.password);
    expect((await readPgState(c.url, 'default')).state).toBeUndefined();

    // Provisioned (the single process: no workers), then dry runs see it done and leave it as it is.
    const up = await c.cli(['provision'], env).proc;
    expect(up.exitCode, up.stderr).toBe(0);
    const before = await readPgState(c.url, 'default');
    expect(before.groups.map((g) => g.record.state)).toEqual(['provisioned', 'provisioned', 'provisioned', 'provisioned']);

    const single = await c.cli(['provision', '--dry-run'], env).proc;
    expect(single.exitCode, single.stderr).toBe(0);
    expect(single.stdout).toMatch(/group g0 \(provisioned\):\n {2}1\. LogStep: done, would be skipped/);

    // Worker mode (--no-work forces it) with g0 drifted: the drift lines, and what --replace-drifted would do.
    const drifted = { ...env, GW_TEST_DRIFT: '-v2' };
    const onWorkers = await c.cli(['provision', '--dry-run', '--no-work', '--replace-drifted'], drifted).proc;
    expect(onWorkers.exitCode, onWorkers.stderr).toBe(0);
    expect(onWorkers.stdout).toContain('The config changed since these groups were provisioned:');
    expect(onWorkers.stdout).toContain('would replace g0 (and its dependent g3)');
    const kept = await c.cli(['provision', '--dry-run'], drifted).proc;
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(kept.stdout).toContain('would keep g0 with the saved provisioners');

    const after = await readPgState(c.url, 'default');
    expect(rowsOf(after)).toEqual(rowsOf(before));
    expect(after.workers).toEqual([]); // no worker started for a dry run
  }, 120_000);
});

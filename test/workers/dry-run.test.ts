// `provision --dry-run` with a database (issue 12), single-process and worker mode alike:
// the plan and the drift read from the database, without its lock, changing nothing there
// (no state row on an empty database, the same rows after a provision, no worker registered).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailability, startPostgres, type StartedPostgres } from '../helpers/postgres.js';
import { readPgState, type PgState } from '../helpers/pg-state.js';
import { cli } from './children.js';

const pgReady = await postgresAvailability();

/** What a dry run must leave as it was: groups, steps and their attempts. */
const rowsOf = (s: PgState) => JSON.stringify({ state: s.state, groups: s.groups });

describe.skipIf(!pgReady.available)(`provision --dry-run with a database (${pgReady.reason || 'PostgreSQL 15'})`, () => {
  let db: StartedPostgres;
  let dir: string;

  beforeAll(async () => {
    db = await startPostgres({ name: 'dry-run' });
    dir = await mkdtemp(join(tmpdir(), 'gw-dry-run-'));
  });
  afterAll(async () => {
    await db?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('plans from the database and changes nothing, before and after a provision, in both modes', async () => {
    const env = { GROUNDWORK_DATABASE_URL: db.url, GW_TEST_LOG: join(dir, 'steps.log'), GW_TEST_STATE_FILE: join(dir, 'state.json'), GW_TEST_GROUPS: '4' };

    // An empty database: the plan of fresh groups, and still no state there.
    const fresh = await cli(['provision', '--dry-run'], env).proc;
    expect(fresh.exitCode, fresh.stderr).toBe(0);
    expect(fresh.stdout).toContain('Dry run against state "default" in postgres://groundwork:***@');
    expect(fresh.stdout).toContain('(no state yet)');
    expect(fresh.stdout).toMatch(/group g3:\n {2}1\. LogStep:/);
    expect(fresh.stdout + fresh.stderr).not.toContain(db.password);
    expect((await readPgState(db.url, 'default')).state).toBeUndefined();

    // Provisioned (the single process: no workers), then dry runs see it done and leave it as it is.
    const up = await cli(['provision'], env).proc;
    expect(up.exitCode, up.stderr).toBe(0);
    const before = await readPgState(db.url, 'default');
    expect(before.groups.map((g) => g.record.state)).toEqual(['provisioned', 'provisioned', 'provisioned', 'provisioned']);

    const single = await cli(['provision', '--dry-run'], env).proc;
    expect(single.exitCode, single.stderr).toBe(0);
    expect(single.stdout).toMatch(/group g0 \(provisioned\):\n {2}1\. LogStep: done, would be skipped/);

    // Worker mode (--no-work forces it) with g0 drifted: the drift lines, and what --replace-drifted would do.
    const drifted = { ...env, GW_TEST_DRIFT: '-v2' };
    const onWorkers = await cli(['provision', '--dry-run', '--no-work', '--replace-drifted'], drifted).proc;
    expect(onWorkers.exitCode, onWorkers.stderr).toBe(0);
    expect(onWorkers.stdout).toContain('The config changed since these groups were provisioned:');
    expect(onWorkers.stdout).toContain('would replace g0 (and its dependent g3)');
    const kept = await cli(['provision', '--dry-run'], drifted).proc;
    expect(kept.exitCode, kept.stderr).toBe(0);
    expect(kept.stdout).toContain('would keep g0 with the saved provisioners');

    const after = await readPgState(db.url, 'default');
    expect(rowsOf(after)).toEqual(rowsOf(before));
    expect(after.workers).toEqual([]); // no worker started for a dry run
  }, 120_000);
});

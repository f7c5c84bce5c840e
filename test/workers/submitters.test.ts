// Two submitters of the same config at once in worker mode (issue 12): each group is
// scheduled once, each step job enqueued once, every step runs once, and both exit 0.
// Both `provision --no-work` (schedule and watch only) and plain `provision` (which works
// too) race against live workers; checked with readPgState and pg-boss's own job table.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailability, startPostgres, type StartedPostgres } from '../helpers/postgres.js';
import { readPgState } from '../helpers/pg-state.js';
import { cli, startWorker, type Child } from './children.js';
import { checkProvisionLog, fixtureDag, parseLog } from './invariants.js';

const pgReady = await postgresAvailability();

async function duplicateJobs(url: string): Promise<unknown[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    const r = await client.query(`select name, singleton_key, count(*)::int as n from pgboss.job group by 1, 2 having count(*) > 1`);
    return r.rows;
  } finally {
    await client.end();
  }
}

describe.skipIf(!pgReady.available)(`two submitters at once (${pgReady.reason || 'PostgreSQL 15'})`, () => {
  let db: StartedPostgres;
  let dir: string;
  const children = new Set<Child>();

  beforeAll(async () => {
    db = await startPostgres({ name: 'submitters' });
    dir = await mkdtemp(join(tmpdir(), 'gw-submitters-'));
  });
  afterAll(async () => {
    for (const c of children) c.proc.kill('SIGKILL');
    await Promise.allSettled([...children].map((c) => c.proc));
    await db?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  for (const noWork of [true, false]) {
    const mode = noWork ? 'provision --no-work' : 'provision';
    it(`two concurrent \`${mode}\` with live workers: no duplicate group, job or step run; both exit 0`, async () => {
      const url = await db.createDatabase(noWork ? 'nowork' : 'work');
      const log = join(dir, `${noWork ? 'nowork' : 'work'}.log`);
      const env = { GROUNDWORK_DATABASE_URL: url, GW_TEST_LOG: log, GW_TEST_STATE_FILE: join(dir, 'state.json'), GW_TEST_GROUPS: '9' };
      const workers = [startWorker(env), startWorker(env)];
      for (const w of workers) children.add(w);
      await Promise.all(workers.map((w) => w.waitFor(/worker \S+ started/)));
      const args = noWork ? ['provision', '--no-work'] : ['provision'];
      const submitters = [cli(args, env), cli(args, env)];
      for (const s of submitters) children.add(s);
      const results = await Promise.all(submitters.map((s) => s.proc));
      for (const r of results) expect(r.exitCode, r.stderr).toBe(0);

      const state = await readPgState(url, 'default');
      const names = state.groups.map((g) => g.name);
      expect(names.sort()).toEqual([...fixtureDag(9).keys()].sort());
      expect(state.groups.every((g) => g.record.state === 'provisioned')).toBe(true);
      expect(await duplicateJobs(url)).toEqual([]);
      // Each step started once (nothing was killed): a doubly scheduled group would run twice.
      expect(checkProvisionLog(parseLog(await readFile(log, 'utf8')), fixtureDag(9), new Set())).toEqual([]);

      for (const w of workers) w.proc.kill('SIGTERM');
      for (const w of workers) expect((await w.proc).exitCode).toBe(0);
      for (const c of [...workers, ...submitters]) children.delete(c);
    }, 180_000);
  }
});

// A job whose step's lease some session still holds (a worker gives its leases back just after
// its commit, so another may fetch a job of that step in between) is put back in the queue for a
// moment, not dropped: once the lease is free the step runs and the provision finishes.
import pg from 'pg';
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { ADVISORY_LOCK } from '../../src/state/postgres/schema.js';
import { describeWithPostgres, useWorkerCluster } from './cluster.js';
import { checkProvisionLog, fixtureDag, parseLog } from './invariants.js';

await describeWithPostgres('a job whose lease is held', () => {
  const c = useWorkerCluster('lease-held');

  it('is put back and runs once the lease is free', async () => {
    const env = c.env({ GW_TEST_GROUPS: '1' });
    // The fixture config's state is "default"; this is group g0's lease, as src/workers/lease.ts keys it.
    const holder = new pg.Client({ connectionString: c.url });
    await holder.connect();
    try {
      await holder.query(`select pg_advisory_lock(${ADVISORY_LOCK.groupLease}, hashtext('default/g0'))`);
      const [worker] = await c.workers(1, env, { args: ['-v'] });
      const submitter = c.cli(['provision', '--no-work'], env);
      await worker!.waitFor(/group "g0" step 1: its lease is still held by another session; job put back/);
      expect(await readFile(c.log, 'utf8').catch(() => '')).not.toContain('start g0:0');
      await holder.query(`select pg_advisory_unlock_all()`);

      const result = await submitter.proc;
      expect(result.exitCode, result.stderr).toBe(0);
      expect(checkProvisionLog(parseLog(await readFile(c.log, 'utf8')), fixtureDag(1), new Set())).toEqual([]);
      await c.stop([worker!]);
    } finally {
      await holder.end();
    }
  }, 120_000);
});

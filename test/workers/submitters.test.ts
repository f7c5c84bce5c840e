// Two submitters of the same config at once in worker mode (issue 12): each group is
// scheduled once, each step job enqueued once, every step runs once, and both exit 0.
// Both `provision --no-work` (schedule and watch only) and plain `provision` (which works
// too) race against live workers; checked with readPgState and pg-boss's own job table.
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { readPgState } from '../helpers/pg-state.js';
import { describeWithPostgres, useWorkerCluster } from './cluster.js';
import { checkProvisionLog, duplicateJobs, fixtureDag, parseLog } from './invariants.js';

await describeWithPostgres('two submitters at once', () => {
  const c = useWorkerCluster('submitters');

  for (const noWork of [true, false]) {
    const mode = noWork ? 'provision --no-work' : 'provision';
    it(`two concurrent \`${mode}\` with live workers: no duplicate group, job or step run; both exit 0`, async () => {
      const env = c.env({ GW_TEST_GROUPS: '9' });
      const workers = await c.workers(2, env);
      const args = noWork ? ['provision', '--no-work'] : ['provision'];
      const submitters = [c.cli(args, env), c.cli(args, env)];
      const results = await Promise.all(submitters.map((s) => s.proc));
      for (const r of results) expect(r.exitCode, r.stderr).toBe(0);

      const state = await readPgState(c.url, 'default');
      const names = state.groups.map((g) => g.name);
      expect(names.sort()).toEqual([...fixtureDag(9).keys()].sort());
      expect(state.groups.every((g) => g.record.state === 'provisioned')).toBe(true);
      expect(await duplicateJobs(c.url)).toEqual([]);
      // Each step started once (nothing was killed): a doubly scheduled group would run twice.
      expect(checkProvisionLog(parseLog(await readFile(c.log, 'utf8')), fixtureDag(9), new Set())).toEqual([]);

      await c.stop(workers);
    }, 180_000);
  }
});

// pg-parity (issue 12): `provision` with a database runs the provisioned groups' check(ctx) in
// the submitting process (each provisioner revived from its snapshot in the database), as the
// file mode does: a LocalService whose process was killed is replaced with its dependent through
// the workers, with the same lines; --no-check skips it.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcessGroup } from '../../src/os/process-tree.js';
import { runTasks } from '../helpers/cli.js';
import { fixture } from '../helpers/paths.js';
import { readPgState } from '../helpers/pg-state.js';
import { postgresAvailability, startPostgres, type StartedPostgres } from '../helpers/postgres.js';
import { forceStop, startTimeOf } from '../helpers/processes.js';
import { tempDir } from '../helpers/temp.js';
import { isRunning } from '../helpers/wait.js';

const pgReady = await postgresAvailability();
if (!pgReady.available) console.warn(`skipping test/workers/health.test.ts: ${pgReady.reason}`);

describe.skipIf(!pgReady.available)('health on reuse through the workers', { timeout: 120_000 }, () => {
  let cluster: StartedPostgres;
  const started: Array<{ pid: number; startTime: number | undefined }> = [];
  let url: string | undefined;
  beforeAll(async () => {
    cluster = await startPostgres({ name: 'health' });
  }, 60_000);
  afterAll(async () => {
    // Safety net: a service the test's own teardown did not stop (same pid and start time only),
    // also one the test failed before it read (from the snapshots still in the database).
    const left = url ? await readPgState(url, 'fixtures').catch(() => undefined) : undefined;
    for (const g of left?.groups ?? []) {
      for (const step of g.steps) {
        const f = step.record.provisioner.fields.json as { pid?: number; startTime?: number };
        if (f.pid !== undefined) started.push({ pid: f.pid, startTime: f.startTime });
      }
    }
    for (const p of started) if (p.startTime !== undefined && startTimeOf(p.pid) === p.startTime) await forceStop(p.pid, p.startTime);
    await cluster?.stop();
  });

  it('an unhealthy group is replaced with its dependent, and why is printed; --no-check leaves it', async () => {
    url = await cluster.createDatabase('health');
    const dir = await tempDir('groundwork-pghealth-');
    // --database beats --state for where the state is; --state still puts ctx.dataDir in the temp folder.
    const args = ['--config', fixture('health-config.ts'), '--database', url!, '--state', join(dir, 'state.json')];
    const provision = (...extra: string[]) => runTasks(['provision', ...extra, ...args], { timeoutMs: 60_000 });
    const state = 'fixtures'; // the config's folder names the state (it sets no database.state)
    const pid = async (group: string) => {
      const g = (await readPgState(url!, state)).groups.find((x) => x.name === group)!;
      const p = (g.steps[0]!.record.provisioner.fields.json as { pid: number }).pid;
      started.push({ pid: p, startTime: startTimeOf(p) });
      return p;
    };

    const up = await provision();
    expect(up.code, up.stderr).toBe(0);
    const [db, app] = [await pid('db'), await pid('app')];
    const healthy = await provision();
    expect(healthy.code, healthy.stderr).toBe(0);
    expect(healthy.stdout).not.toContain('nhealthy');
    expect([await pid('db'), await pid('app')]).toEqual([db, app]);

    const start = startTimeOf(db);
    process.kill(-db, 'SIGKILL');
    await stopProcessGroup(db, start, { graceMs: 0 }); // resolves once the group is gone
    const skipped = await provision('--no-check');
    expect(skipped.code, skipped.stderr).toBe(0);
    expect(skipped.stdout).not.toContain('nhealthy');
    expect(await pid('db')).toBe(db);

    const repaired = await provision();
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(repaired.stdout).toContain(`db unhealthy, replacing it: [1] LocalService: pid ${db} is gone`);
    expect(repaired.stdout).toContain(`Unhealthy: db step 1 (LocalService): pid ${db} is gone`);
    expect(repaired.stdout).toContain('Replaced db, app (unhealthy, with dependents).');
    const [db2, app2] = [await pid('db'), await pid('app')];
    expect(db2).not.toBe(db);
    expect(app2).not.toBe(app);
    expect(isRunning(app)).toBe(false); // torn down through the workers
    expect(isRunning(db2) && isRunning(app2)).toBe(true);

    const down = await runTasks(['teardown', ...args], { timeoutMs: 60_000 });
    expect(down.code, down.stderr).toBe(0);
    expect(isRunning(db2) || isRunning(app2)).toBe(false);
  });
});

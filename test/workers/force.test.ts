// pg-parity (issue 12): `teardown --force` / `deprovision --force` through the workers, as in
// the file mode: a shutdown that fails still drops that step's record, the teardown goes on
// (the group's other steps, then what it depends on), the group leaves the state; the summary
// warns and names what may still run; exit 1. Without --force (and in a --replace) a failed
// shutdown stops there as in the file mode: the group failed, what it depends on kept.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTasks } from '../helpers/cli.js';
import { fixture } from '../helpers/paths.js';
import { readPgState } from '../helpers/pg-state.js';
import { postgresAvailability, startPostgres, type StartedPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp.js';

const pgReady = await postgresAvailability();
if (!pgReady.available) console.warn(`skipping test/workers/force.test.ts: ${pgReady.reason}`);
const CONFIG = fixture('workers/parity-config.ts');

describe.skipIf(!pgReady.available)('--force through the workers', { timeout: 120_000 }, () => {
  let cluster: StartedPostgres;
  beforeAll(async () => {
    cluster = await startPostgres({ name: 'force' });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('a failing shutdown: without --force the teardown stops there (kept: db); teardown --force and deprovision --force go past it: group gone, warning, exit 1', async () => {
    const url = await cluster.createDatabase('force');
    const dir = await tempDir('groundwork-force-');
    const log = join(dir, 'steps.log');
    const env = { GROUNDWORK_DATABASE_URL: url, GW_TEST_LOG: log, GW_TEST_STATE_FILE: join(dir, 'state.json'), GW_TEST_FAIL_STOP: 'app:1' };
    const run = (args: string[], extra: Record<string, string> = {}) =>
      runTasks([...args, '--config', CONFIG], { env: { ...env, ...extra }, timeoutMs: 60_000 });
    const stops = () => {
      const l = readFileSync(log, 'utf8')
        .split('\n')
        .filter((x) => x.startsWith('stop'));
      writeFileSync(log, '');
      return l;
    };
    const warned = (stderr: string) => {
      expect(stderr).toContain('warning: Group "app" step 2 (ParityStep) returned false from shutdown()');
      expect(stderr).toContain('These records were dropped without a successful shutdown; what they started may still be running:');
      expect(stderr).toContain('  app step 2 (ParityStep)\n      step app:1');
    };

    expect((await run(['provision'])).code).toBe(0);
    stops();
    // A replace whose shutdown fails stops there, as the file mode's: nothing scheduled again.
    const replace = await run(['provision', '--replace', 'app']);
    expect(replace.code, replace.stderr).toBe(1);
    expect(replace.stderr).toContain(
      'error: Replace of app stopped while deprovisioning: Group "app" step 2 (ParityStep) returned false from shutdown()',
    );
    expect(replace.stderr).toContain('Nothing was scheduled again; run it again once that is fixed.');
    expect(stops()).toEqual(['stop web:0', 'stop-failed app:1']);
    expect((await readPgState(url, 'parity')).groups.map((g) => [g.name, g.record.state])).toEqual([
      ['db', 'provisioned'],
      ['app', 'failed'],
      ['other', 'provisioned'],
    ]);

    // Without --force, as in the file mode: app stays failed, db (waiting on it) is kept provisioned.
    const plain = await run(['teardown']);
    expect(plain.code, plain.stderr).toBe(1);
    expect(plain.stdout).toContain('Kept: db');
    expect(plain.stdout).toContain('Teardown incomplete: app failed.');
    expect((await readPgState(url, 'parity')).groups.map((g) => [g.name, g.record.state])).toEqual([
      ['db', 'provisioned'],
      ['app', 'failed'],
    ]);
    expect(stops().sort()).toEqual(['stop other:0', 'stop-failed app:1']);

    const t = await run(['teardown', '--force']);
    expect(t.code, t.stderr).toBe(1);
    warned(t.stderr);
    expect(t.stdout).toContain('Torn down 2 group(s).');
    expect((await readPgState(url, 'parity')).groups).toEqual([]);
    // Went on past app:1: app's first step, then db (after its dependent), each once.
    expect(stops()).toEqual(['stop-failed app:1', 'stop app:0', 'stop db:0']);

    expect((await run(['provision'])).code).toBe(0);
    stops();
    const d = await run(['deprovision', 'app', '--cascade', '--force']);
    expect(d.code, d.stderr).toBe(1);
    warned(d.stderr);
    expect(stops()).toEqual(['stop web:0', 'stop-failed app:1', 'stop app:0']);
    expect((await readPgState(url, 'parity')).groups.map((g) => g.name)).toEqual(['db', 'other']);

    const clean = await run(['teardown'], { GW_TEST_FAIL_STOP: '' });
    expect(clean.code, clean.stderr).toBe(0);
    expect((await readPgState(url, 'parity')).groups).toEqual([]);
  });
});

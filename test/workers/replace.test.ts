// pg-parity (issue 12): with a database, `provision` always goes through the workers (with no
// other worker, the process itself runs every step), and --replace / --replace-drifted work
// there as in the file mode: the group and its dependents torn down once each (dependents
// first), provisioned again from the config, the other groups untouched.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTasks } from '../helpers/cli.js';
import { fixture } from '../helpers/paths.js';
import { readPgState } from '../helpers/pg-state.js';
import { postgresAvailability, startPostgres, type StartedPostgres } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp.js';

const pgReady = await postgresAvailability();
if (!pgReady.available) console.warn(`skipping test/workers/replace.test.ts: ${pgReady.reason}`);
const CONFIG = fixture('workers/parity-config.ts');

describe.skipIf(!pgReady.available)('replace through the workers', { timeout: 120_000 }, () => {
  let cluster: StartedPostgres;
  beforeAll(async () => {
    cluster = await startPostgres({ name: 'replace' });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('provision runs on the worker path with no other worker; --replace app and --replace-drifted replace app and web only', async () => {
    const url = await cluster.createDatabase('replace');
    const dir = await tempDir('groundwork-replace-');
    const log = join(dir, 'steps.log');
    const env = { GROUNDWORK_DATABASE_URL: url, GW_TEST_LOG: log, GW_TEST_STATE_FILE: join(dir, 'state.json') };
    const run = (args: string[], extra: Record<string, string> = {}) =>
      runTasks([...args, '--config', CONFIG], { env: { ...env, ...extra }, timeoutMs: 60_000 });
    const lines = () => {
      const l = readFileSync(log, 'utf8').split('\n').filter(Boolean);
      writeFileSync(log, '');
      return l;
    };

    const up = await run(['provision']);
    expect(up.code, up.stderr).toBe(0);
    const first = await readPgState(url, 'parity');
    expect(first.groups.map((g) => [g.name, g.record.state])).toEqual([
      ['db', 'provisioned'],
      ['app', 'provisioned'],
      ['web', 'provisioned'],
      ['other', 'provisioned'],
    ]);
    // Every step ran on a worker (this process was one): the single-process path records none.
    for (const g of first.groups) for (const s of g.steps) expect(s.worker, `${g.name} ${s.idx}`).toMatch(/-\d+-[0-9a-f]{4}$/);
    const status = await run(['status']);
    expect(status.stdout.match(/\(worker /g)).toHaveLength(5);
    expect(lines().sort()).toEqual(['start app:0', 'start app:1', 'start db:0', 'start other:0', 'start web:0']);

    const replace = await run(['provision', '--replace', 'app']);
    expect(replace.code, replace.stderr).toBe(0);
    expect(replace.stdout).toContain('Replacing app: deprovisioning, dependents first, then provisioning again from the config.');
    expect(replace.stdout).toContain('Replaced app, web.');
    // Each shutdown once, dependents first and last step first; then up again in dependency order; db and other not touched.
    expect(lines()).toEqual(['stop web:0', 'stop app:1', 'stop app:0', 'start app:0', 'start app:1', 'start web:0']);
    const second = await readPgState(url, 'parity');
    const byName = (s: typeof first) => new Map(s.groups.map((g) => [g.name, g]));
    for (const g of ['db', 'other']) expect(byName(second).get(g)).toEqual(byName(first).get(g));
    expect(second.groups.map((g) => g.record.state)).toEqual(['provisioned', 'provisioned', 'provisioned', 'provisioned']);

    const drifted = { GW_TEST_DRIFT: '-v2' };
    const again = await run(['provision', '--replace-drifted'], drifted);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('The config changed since these groups were provisioned:');
    expect(again.stdout).toContain('Replacing app: deprovisioning, dependents first, then provisioning again from the config.');
    expect(again.stdout).toContain('Replaced app, web.');
    expect(lines()).toEqual(['stop web:0', 'stop app:1', 'stop app:0', 'start app:0-v2', 'start app:1-v2', 'start web:0']);
    const third = byName(await readPgState(url, 'parity'));
    expect(JSON.stringify(third.get('app')!.steps.map((s) => s.record.provisioner))).toContain('app:1-v2');
    for (const g of ['db', 'other']) expect(third.get(g)).toEqual(byName(first).get(g));

    const down = await run(['teardown'], drifted);
    expect(down.code, down.stderr).toBe(0);
    expect((await readPgState(url, 'parity')).groups).toEqual([]);
  });
});

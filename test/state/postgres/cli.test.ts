// The command line against the PostgreSQL state: provision, status (--json),
// output, deprovision and teardown as child runs of tasks.ts (each one worker
// itself: with a database they always go through the workers), selected by
// --database, by GROUNDWORK_DATABASE_URL and by the config's `database`; the
// password never in any output or table; unreachable at start; two
// submitters at once.
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../src/os/net.js';
import { runTasks, type CliRun } from '../../helpers/cli.js';
import { fixture } from '../../helpers/paths.js';
import { dumpAllText, readPgState } from '../../helpers/pg-state.js';
import { postgresAvailability, startPostgres, type StartedPostgres } from '../../helpers/postgres.js';
import { tempDir } from '../../helpers/temp.js';

const pgReady = await postgresAvailability();
if (!pgReady.available) console.warn(`skipping test/state/postgres/cli.test.ts: ${pgReady.reason}`);

let cluster: StartedPostgres;
let n = 0;
const freshDb = () => cluster.createDatabase(`cli_${++n}`);
const ENV = 'GROUNDWORK_DATABASE_URL';

/** A project folder with a config (cli-ok.ts: db, app ← db); its name is the state's default name. */
async function project(extra = ''): Promise<{ dir: string; config: string; state: string }> {
  const dir = await tempDir('groundwork-pgcli-');
  const config = join(dir, 'groundwork.config.ts');
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(
    config,
    extra
      ? `import base from ${JSON.stringify(fixture('cli-ok.ts'))};\nexport default { ...base, ${extra} };\n`
      : `export { default } from ${JSON.stringify(fixture('cli-ok.ts'))};\n`,
  );
  return { dir, config, state: basename(dir) };
}

const cli = (args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> =>
  runTasks(args, { env: { [ENV]: undefined, ...env }, timeoutMs: 60_000 });

function noPassword(...runs: CliRun[]): void {
  for (const r of runs) expect(`${r.stdout}\n${r.stderr}`).not.toContain(cluster.password);
}

describe.skipIf(!pgReady.available)('the CLI with the state in PostgreSQL', { timeout: 120_000 }, () => {
  beforeAll(async () => {
    cluster = await startPostgres({ name: 'cli' });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('--database: provision, status, status --json, output, teardown; no state file; the password nowhere', async () => {
    const url = await freshDb();
    const { dir, config, state } = await project();
    const db = ['--config', config, '--database', url];
    const p = await cli(['provision', ...db]);
    expect(p.code, p.stderr).toBe(0);
    expect(existsSync(join(dir, '.groundwork', 'state.json'))).toBe(false);
    const raw = await readPgState(url, state);
    expect(raw.groups.map((g) => [g.name, g.record.state])).toEqual([
      ['db', 'provisioned'],
      ['app', 'provisioned'],
    ]);

    const s = await cli(['status', ...db]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toContain(`State: state "${state}" in postgres://groundwork:***@127.0.0.1:${cluster.port}/cli_${n}`);
    expect(s.stdout).toContain('app: provisioned');
    expect(s.stdout).toMatch(/\[2\] CliStep — done[\s\S]*value app-2/);
    const j = await cli(['status', '--json', ...db]);
    expect(j.code, j.stderr).toBe(0);
    const report = JSON.parse(j.stdout) as { groups: { name: string; state: string; output: unknown }[] };
    expect(report.groups.map((g) => [g.name, g.state])).toEqual([
      ['db', 'provisioned'],
      ['app', 'provisioned'],
    ]);
    expect(report.groups[1]!.output).toEqual({ value: 'app-2', dependencies: ['db'] });
    const o = await cli(['output', 'app', ...db]);
    expect(o.code, o.stderr).toBe(0);
    expect(o.stdout).toContain('value = app-2');

    const again = await cli(['provision', ...db]); // idempotent: nothing to do, no duplicate
    expect(again.code, again.stderr).toBe(0);
    expect((await readPgState(url, state)).groups.map((g) => g.name)).toEqual(['db', 'app']);

    const t = await cli(['teardown', ...db]);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toContain('Torn down 2 group(s).');
    expect((await readPgState(url, state)).groups).toEqual([]);
    noPassword(p, s, j, o, again, t);
    expect(await dumpAllText(url)).not.toContain(cluster.password);
  });

  it('GROUNDWORK_DATABASE_URL selects it too; --database beats it, and --state beats it', async () => {
    const url = await freshDb();
    const { dir, config, state } = await project();
    const p = await cli(['provision', '--config', config], { [ENV]: url });
    expect(p.code, p.stderr).toBe(0);
    expect((await readPgState(url, state)).groups.map((g) => g.record.state)).toEqual(['provisioned', 'provisioned']);

    // The flag first: the environment names a server that is not there.
    const nowhere = `postgres://groundwork:${cluster.password}@127.0.0.1:${await freePort()}/x`;
    const d = await cli(['deprovision', 'app', '--config', config, '--database', url], { [ENV]: nowhere });
    expect(d.code, d.stderr).toBe(0);
    expect((await readPgState(url, state)).groups.map((g) => g.name)).toEqual(['db']);

    // An explicit --state FILE is the file, whatever the environment says.
    const file = join(dir, 'other.json');
    const f = await cli(['provision', 'db', '--config', config, '--state', file], { [ENV]: nowhere });
    expect(f.code, f.stderr).toBe(0);
    expect(existsSync(file)).toBe(true);

    const s = await cli(['status', '--config', config], { [ENV]: url });
    expect(s.stdout).toContain('db: provisioned');
    expect(s.stdout).not.toContain('app:');
    const t = await cli(['teardown', '--config', config], { [ENV]: url });
    expect(t.code, t.stderr).toBe(0);
    expect((await readPgState(url, state)).groups).toEqual([]);
    await cli(['teardown', '--config', config, '--state', file]);
    noPassword(p, d, f, s, t);
  });

  it("the config's `database` (url and state name) selects it when neither flag nor variable does", async () => {
    const url = await freshDb();
    const { config } = await project(`database: { url: ${JSON.stringify(url)}, state: 'named-in-config' }`);
    const p = await cli(['provision', '--config', config]);
    expect(p.code, p.stderr).toBe(0);
    expect((await readPgState(url, 'named-in-config')).groups).toHaveLength(2);
    const t = await cli(['teardown', '--config', config]);
    expect(t.code, t.stderr).toBe(0);
    expect((await readPgState(url, 'named-in-config')).groups).toEqual([]);
    noPassword(p, t);
  });

  it('the database unreachable at start: exit 1, the URL without its password and what to do', async () => {
    const { config } = await project();
    const port = await freePort();
    const url = `postgres://groundwork:${cluster.password}@127.0.0.1:${port}/groundwork`;
    for (const task of ['provision', 'status']) {
      const r = await cli([task, '--config', config, '--database', url]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(`error: Cannot reach the state database postgres://groundwork:***@127.0.0.1:${port}/groundwork: `);
      expect(r.stderr).toContain('Check that PostgreSQL runs there');
      noPassword(r);
    }
  });

  it('two submitters of the same config at once (each a worker): no duplicate group, both exit 0', async () => {
    const url = await freshDb();
    const { config, state } = await project();
    const runs = await Promise.all([1, 2].map(() => cli(['provision', '--config', config, '--database', url])));
    for (const r of runs) expect(r.code, r.stderr).toBe(0);
    const raw = await readPgState(url, state);
    expect(raw.groups.map((g) => [g.name, g.record.state, g.steps.length])).toEqual([
      ['db', 'provisioned', 1],
      ['app', 'provisioned', 2],
    ]);
    noPassword(...runs);
  });
});

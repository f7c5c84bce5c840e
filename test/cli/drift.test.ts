// Drift through the command line: real child runs of tasks.ts against a config
// whose provisioners come from the environment (test/fixtures/drift-config.ts).
import { runTasks, type CliRun } from '../helpers/cli.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'vitest';
import { fixture } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

/** A temp state file and call log; `cli` runs tasks.ts on them with DRIFT_* set from `env`. */
async function project(ctx: TestContext) {
  const dir = await tempDir('groundwork-drift-cli-', ctx);
  const state = join(dir, 'state.json');
  const log = join(dir, 'calls.log');
  const cli = (env: Record<string, string>, ...args: string[]): Promise<CliRun> =>
    runTasks([...args, '--config', fixture('drift-config.ts'), '--state', state], { env: { DRIFT_LOG: log, ...env }, timeoutMs: 60_000 });
  /** The log's lines since the last call of `calls()`. */
  let seen = 0;
  const calls = (): string[] => {
    const lines = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
    const fresh = lines.slice(seen);
    seen = lines.length;
    return fresh;
  };
  const first = await cli({}, 'provision');
  ctx.expect(first.code, first.stderr).toBe(0);
  ctx.expect(calls().sort()).toEqual(['startup app ["app"]', 'startup db ["--port","1"]', 'startup other ["other"]']);
  return { cli, calls, state };
}

const DB_DRIFT = '  db: DriftLogStep.args: ["--port","1"] → ["--port","2"]';

// Several child runs per test, each a full CLI start-up: allow for a loaded machine.
describe.concurrent('provision and drift', { timeout: 120_000 }, () => {
  test('a changed config is shown field by field, with a warning; the saved provisioners are kept (exit 0)', async (ctx) => {
    const { cli, calls } = await project(ctx);

    const same = await cli({}, 'provision');
    ctx.expect(same.code).toBe(0);
    // Fields a startup set (startedBy) are not drift.
    ctx.expect(same.stdout).not.toContain('config changed');

    const r = await cli({ DRIFT_DB_PORT: '2', DRIFT_APP_CLASS: 'check' }, 'provision');
    ctx.expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const at = lines.indexOf('The config changed since these groups were provisioned:');
    ctx.expect(at).toBeGreaterThanOrEqual(0);
    ctx.expect(lines.slice(at + 1, at + 3)).toEqual([DB_DRIFT, '  app: class changed: DriftLogStep → DriftCheckStep']);
    ctx.expect(r.stdout).not.toContain('other:');
    ctx
      .expect(r.stderr)
      .toContain('warning: db, app changed in the config but keep their saved provisioners; run `groundwork provision --replace-drifted`');
    ctx.expect(calls()).toEqual([]);
  });

  test('--dry-run says what it would replace (and its dependents) or keep, and changes nothing', async (ctx) => {
    const { cli, calls, state } = await project(ctx);
    const before = readFileSync(state, 'utf8');

    const replace = await cli({ DRIFT_DB_PORT: '2' }, 'provision', '--dry-run', '--replace-drifted');
    ctx.expect(replace.code, replace.stderr).toBe(0);
    ctx.expect(replace.stdout).toContain(DB_DRIFT);
    ctx.expect(replace.stdout).toContain('would replace db (and its dependent app)');
    ctx.expect(replace.stdout).not.toContain('would replace other');

    const keep = await cli({ DRIFT_DB_PORT: '2' }, 'provision', '--dry-run');
    ctx.expect(keep.code, keep.stderr).toBe(0);
    ctx.expect(keep.stdout).toContain('would keep db with the saved provisioners');
    ctx.expect(keep.stdout).not.toContain('would replace');

    ctx.expect(calls()).toEqual([]);
    ctx.expect(readFileSync(state, 'utf8')).toBe(before);
  });

  test('--replace-drifted deprovisions the drifted group and its dependents (dependents first), then provisions them again in dependency order', async (ctx) => {
    const { cli, calls } = await project(ctx);

    const r = await cli({ DRIFT_DB_PORT: '2' }, 'provision', '--replace-drifted');
    ctx.expect(r.code, r.stdout + r.stderr).toBe(0);
    ctx.expect(r.stdout).toContain(DB_DRIFT);
    ctx.expect(r.stdout).toContain('Replaced db, app.');
    // `other` did not drift and is left alone.
    ctx.expect(calls()).toEqual(['shutdown app ["app"]', 'shutdown db ["--port","1"]', 'startup db ["--port","2"]', 'startup app ["app"]']);

    // The new fingerprint is recorded: no drift any more.
    const again = await cli({ DRIFT_DB_PORT: '2' }, 'provision');
    ctx.expect(again.code).toBe(0);
    ctx.expect(again.stdout).not.toContain('config changed');
    ctx.expect(again.stderr).not.toContain('warning');
    ctx.expect(calls()).toEqual([]);
  });

  test('--replace <group> replaces that group (and its dependents) even without drift', async (ctx) => {
    const { cli, calls } = await project(ctx);

    const app = await cli({}, 'provision', '--replace', 'app');
    ctx.expect(app.code, app.stdout + app.stderr).toBe(0);
    ctx.expect(calls()).toEqual(['shutdown app ["app"]', 'startup app ["app"]']);

    const db = await cli({}, 'provision', 'other', '--replace', 'db');
    ctx.expect(db.code, db.stdout + db.stderr).toBe(0);
    ctx.expect(calls()).toEqual(['shutdown app ["app"]', 'shutdown db ["--port","1"]', 'startup db ["--port","1"]', 'startup app ["app"]']);
  });

  test('--replace of a group that is not in the config or not in the state is refused (exit 2), naming it', async (ctx) => {
    const { cli, calls } = await project(ctx);
    const unknown = await cli({}, 'provision', '--replace', 'nope');
    ctx.expect(unknown.code).toBe(2);
    ctx.expect(unknown.stderr).toContain('--replace nope: the config has no group "nope"');
    ctx.expect(calls()).toEqual([]);
  });
});

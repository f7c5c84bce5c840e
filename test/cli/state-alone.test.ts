// status, output, teardown and deprovision from the state file when the config that made it is
// deleted or broken: real child runs of tasks.ts, with a user's own provisioner class (CliStep).
import { runTasks, type CliRun } from '../helpers/cli.js';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'vitest';
import { fixture } from '../helpers/paths.js';
import { stateGroups } from '../helpers/state.js';
import { tempDir } from '../helpers/temp.js';

const cli = (...args: string[]): Promise<CliRun> => runTasks(args);

/** A config of the user's own, outside the repo's fixtures, provisioned; then it can be deleted or broken. */
async function provisioned(ctx: TestContext, fixtureName = 'cli-ok.ts', ...extra: string[]) {
  const dir = await tempDir('groundwork-alone-', ctx);
  const config = join(dir, 'groundwork.config.ts');
  const state = join(dir, 'state.json');
  writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n'); // an ESM folder, as this repo is
  writeFileSync(config, `export { default } from ${JSON.stringify(fixture(fixtureName))};\n`);
  const p = await cli('provision', '--config', config, '--state', state, ...extra);
  return { config, state, provision: p };
}

// Several child runs each, on 2 shared cores.
describe.concurrent('the state file alone', { timeout: 120_000 }, () => {
  test('status with the config deleted shows the recorded report lines', async (ctx) => {
    const { config, state, provision } = await provisioned(ctx);
    ctx.expect(provision.code, provision.stderr).toBe(0);
    rmSync(config);

    const s = await cli('status', '--config', config, '--state', state);
    ctx.expect(s.code, s.stderr).toBe(0);
    ctx.expect(s.stdout).toContain('app: provisioned');
    ctx.expect(s.stdout).toMatch(/\[2\] CliStep — done.*\n\s+value app-2/);
    ctx.expect(s.stdout).toContain('not registered here');

    const j = await cli('status', '--json', '--config', config, '--state', state);
    const app = (JSON.parse(j.stdout) as { groups: { name: string; output: unknown; steps: { report: string[]; reportFrom: string }[] }[] })
      .groups[1]!;
    ctx.expect(app.steps.map((st) => [st.report, st.reportFrom])).toEqual([
      [['value app-1'], 'recorded'],
      [['value app-2'], 'recorded'],
    ]);
    ctx.expect(app.output).toEqual({ value: 'app-2', dependencies: ['db'] });
  });

  test('status with a syntax error in the config warns and shows the state', async (ctx) => {
    const { config, state } = await provisioned(ctx);
    writeFileSync(config, 'export default {\n');
    // The config is the default one in its folder here, and the state is named by --state.
    const s = await cli('status', '--config', config, '--state', state);
    ctx.expect(s.code, s.stderr).toBe(0);
    ctx.expect(s.stderr).toBe(''); // with --state the config is not loaded at all
    ctx.expect(s.stdout).toMatch(/db: provisioned[\s\S]*value db-1/);

    // Without --state, a broken config is a warning, not a failure.
    const { config: c2, state: s2 } = await provisioned(ctx);
    writeFileSync(c2, `export default { stateFile: ${JSON.stringify(s2)}, groups: {\n`);
    const w = await cli('status', '--config', c2);
    ctx.expect(w.code, w.stderr).toBe(0);
    ctx.expect(w.stderr).toContain(`warning: config ${c2} could not be loaded (`);
    ctx.expect(w.stderr).toContain('); showing the state file');
  });

  test('output prints one group: key = value, --json, unknown group 2, not provisioned 1', async (ctx) => {
    const { state } = await provisioned(ctx);
    const plain = await cli('output', 'app', '--state', state);
    ctx.expect(plain.code, plain.stderr).toBe(0);
    ctx.expect(plain.stdout).toBe('value = app-2\ndependencies = [\n  "db"\n]\n');
    const json = await cli('output', 'app', '--json', '--state', state);
    ctx.expect(JSON.parse(json.stdout)).toEqual({ value: 'app-2', dependencies: ['db'] });
    const unknown = await cli('output', 'nope', '--state', state);
    ctx.expect(unknown.code).toBe(2);
    ctx.expect(unknown.stderr).toContain('Group "nope"');

    const failed = await provisioned(ctx, 'cli-fail.ts');
    ctx.expect(failed.provision.code).toBe(1);
    const none = await cli('output', 'db', '--state', failed.state);
    ctx.expect(none.code).toBe(1);
    ctx.expect(none.stderr).toContain('group "db" is failed');
    ctx.expect(none.stderr).toContain('has no output yet');
  });

  test('teardown and deprovision of an unregistered class refuse, naming it; --force drops and lists, exit 1', async (ctx) => {
    const { config, state } = await provisioned(ctx);
    rmSync(config);

    const t = await cli('teardown', '--state', state);
    ctx.expect(t.code).toBe(1);
    ctx.expect(t.stdout).toContain('class "CliStep", which is not registered in this process');
    ctx.expect(t.stdout).toContain('the config that defined it must load');
    ctx.expect(t.stdout).toContain('teardown --force');
    const d = await cli('deprovision', 'app', '--state', state);
    ctx.expect(d.code).toBe(2);
    ctx.expect(d.stderr).toContain('class "CliStep"');
    // Refused before anything changed.
    ctx.expect(Object.values(stateGroups(state)).map((g) => g.state)).toEqual(['provisioned', 'provisioned']);

    const f = await cli('teardown', '--force', '--state', state);
    ctx.expect(f.code).toBe(1);
    ctx.expect(f.stderr).toContain('what they started may still be running');
    ctx
      .expect(f.stderr)
      .toMatch(
        /app step 2 \(CliStep\)\n\s+value app-2\n\s+app step 1 \(CliStep\)\n\s+value app-1\n\s+db step 1 \(CliStep\)\n\s+value db-1/,
      );
    ctx.expect(stateGroups(state)).toEqual({});
  });

  test("-v shows the failing provisioner's stack in the provision summary and in status", async (ctx) => {
    const { state, provision } = await provisioned(ctx, 'cli-fail.ts', '-v');
    ctx.expect(provision.code).toBe(1);
    const stackLine = /Error: db exploded: disk full\n\s+at CliStep\.startup \(.*cli-steps\.ts:\d+:\d+\)/;
    ctx.expect(provision.stdout).toMatch(stackLine);
    const verbose = await cli('status', '-v', '--state', state);
    ctx.expect(verbose.stdout).toMatch(stackLine);
    const plain = await cli('status', '--state', state);
    ctx.expect(plain.stdout).toContain('db exploded: disk full');
    ctx.expect(plain.stdout).not.toContain('at CliStep.startup');
  });
});

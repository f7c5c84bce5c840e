// The CLI (`tasks.ts`), run as real child processes against fixture configs and temp state files.
import { runTasks, type CliRun } from '../helpers/cli.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
// The global `expect` is used only for asymmetric matchers; assertions use each concurrent test's own.
import { describe, expect, test, type TestContext } from 'vitest';
import { fixture as config } from '../helpers/paths.js';
import { readRawState, stateGroups } from '../helpers/state.js';
import { tempDir } from '../helpers/temp.js';

const cli = (...args: string[]): Promise<CliRun> => runTasks(args);

/** A temp state file path; its folder is removed when this (concurrent) test finishes. */
async function stateFile(ctx: TestContext): Promise<string> {
  return join(await tempDir('groundwork-cli-', ctx), 'state.json');
}

interface StatusJson {
  version: number;
  stateFile: string;
  stateId: string | null;
  groups: Record<string, unknown>[];
}

const iso = () => expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
const GROUP_KEYS = [
  'blockedBy',
  'dependsOn',
  'durationMs',
  'error',
  'finishedAt',
  'name',
  'output',
  'scheduledAt',
  'startedAt',
  'state',
  'steps',
];
const STEP_KEYS = ['durationMs', 'error', 'finishedAt', 'index', 'provisioner', 'report', 'reportFrom', 'stack', 'startedAt', 'state'];

describe.concurrent('tasks.ts', () => {
  test('--help prints the usage and exits 0', async (ctx) => {
    const r = await cli('--help');
    ctx.expect(r.code).toBe(0);
    ctx.expect(r.stdout).toContain('Usage: groundwork <task> [options]');
    for (const word of [
      'provision',
      'deprovision',
      'teardown',
      'status',
      'graph',
      '--cascade',
      '--json',
      '--config FILE',
      '--state FILE',
    ]) {
      ctx.expect(r.stdout).toContain(word);
    }
    ctx.expect(r.stdout).toMatch(/Exit codes: 0 success, 1 a provisioner failed, 2 bad usage or config, 3 state file locked/);
  });

  test('an unknown task or option exits 2 and names it', async (ctx) => {
    const state = await stateFile(ctx);
    const [task, option] = await Promise.all([cli('frobnicate', '--state', state), cli('status', '--bogus', '--state', state)]);
    ctx.expect(task.code).toBe(2);
    ctx.expect(task.stderr).toContain('Unknown task "frobnicate"');
    ctx.expect(option.code).toBe(2);
    ctx.expect(option.stderr).toContain('--bogus');
    ctx.expect(existsSync(state)).toBe(false);
  });

  // [test name, config fixture, what stderr must contain]
  test.for<[string, string, string[]]>([
    [
      'a config with an unknown dependency exits 2 and names the field and the value',
      'cli-unknown-dep.ts',
      ['`groups.app.dependsOn[0]`', 'got "dbb"'],
    ],
    ['a config with a dependency cycle exits 2 and names the cycle', 'cli-cycle.ts', ['Dependency cycle: a -> b -> a']],
  ])('%s', async ([, file, messages], ctx) => {
    const state = await stateFile(ctx);
    const r = await cli('provision', '--config', config(file), '--state', state);
    ctx.expect(r.code).toBe(2);
    for (const message of messages) ctx.expect(r.stderr).toContain(message);
    ctx.expect(existsSync(state)).toBe(false);
  });

  test('a failing provisioner exits 1 with a per-group summary; status --json shows failed and blocked', async (ctx) => {
    const state = await stateFile(ctx);
    const r = await cli('provision', '--config', config('cli-fail.ts'), '--state', state);
    ctx.expect(r.code).toBe(1);
    ctx.expect(r.stdout).toContain('✘ db failed: Group "db" step 1 (CliStep) failed: db exploded: disk full');
    ctx.expect(r.stdout).toContain('⊘ app blocked by db');
    ctx.expect(r.stdout).toMatch(/^ {2}db +failed {2}Group "db" step 1 \(CliStep\) failed: db exploded: disk full$/m);
    ctx.expect(r.stdout).toMatch(/^ {2}app +blocked {2}blocked: db did not provision$/m);
    ctx.expect(r.stdout).toMatch(/^ {2}web +provisioned$/m);
    ctx.expect(r.stdout).toMatch(/^Not all groups provisioned in \d+\.\d s\.$/m);

    const s = await cli('status', '--json', '--state', state, '--config', config('cli-fail.ts'));
    ctx.expect(s.code).toBe(0);
    const report = JSON.parse(s.stdout) as StatusJson;
    const byName = Object.fromEntries(report.groups.map((g) => [g.name, g]));
    ctx.expect(byName.db).toMatchObject({
      state: 'failed',
      error: 'Group "db" step 1 (CliStep) failed: db exploded: disk full',
      steps: [{ index: 0, state: 'failed', error: 'Group "db" step 1 (CliStep) failed: db exploded: disk full' }],
    });
    ctx
      .expect(byName.app)
      .toMatchObject({ state: 'blocked', blockedBy: ['db'], error: 'blocked: db did not provision', steps: [{ state: 'pending' }] });
    ctx.expect(byName.web).toMatchObject({ state: 'provisioned', error: null, steps: [{ state: 'done', report: ['value web-1'] }] });
  });

  test('provision, status --json (documented shape), then teardown empties the state', async (ctx) => {
    const state = await stateFile(ctx);
    const p = await cli('provision', '--config', config('cli-ok.ts'), '--state', state);
    ctx.expect(p.code).toBe(0);
    ctx.expect(p.stdout).toContain('✔ db provisioned');
    ctx.expect(p.stdout).toContain('✔ app provisioned');
    ctx.expect(p.stdout).toMatch(/^Provisioned in \d+\.\d s\.$/m);

    const s = await cli('status', '--json', '--state', state, '--config', config('cli-ok.ts'));
    ctx.expect(s.code).toBe(0);
    const report = JSON.parse(s.stdout) as StatusJson;
    ctx.expect(Object.keys(report).sort()).toEqual(['groups', 'stateFile', 'stateId', 'version']);
    ctx.expect(report.version).toBe(2);
    ctx.expect(report.stateFile).toBe(state);
    ctx.expect(report.stateId).toBe(readRawState(state).id);
    ctx.expect(report.groups.map((g) => g.name)).toEqual(['db', 'app']);
    for (const g of report.groups) {
      ctx.expect(Object.keys(g).sort()).toEqual(GROUP_KEYS);
      for (const step of g.steps as Record<string, unknown>[]) ctx.expect(Object.keys(step).sort()).toEqual(STEP_KEYS);
    }
    const step = (index: number, value: string) => ({
      index,
      provisioner: 'CliStep',
      state: 'done',
      report: [`value ${value}`],
      reportFrom: 'recorded', // with --state the config (which registers CliStep) is not loaded
      startedAt: iso(),
      finishedAt: iso(),
      durationMs: expect.any(Number),
      error: null,
      stack: null,
    });
    const group = (name: string, dependsOn: string[], steps: unknown[], output: unknown) => ({
      name,
      state: 'provisioned',
      dependsOn,
      blockedBy: [],
      scheduledAt: iso(),
      startedAt: iso(),
      finishedAt: iso(),
      durationMs: expect.any(Number),
      error: null,
      output,
      steps,
    });
    ctx
      .expect(report.groups)
      .toStrictEqual([
        group('db', [], [step(0, 'db-1')], { value: 'db-1', dependencies: [] }),
        group('app', ['db'], [step(0, 'app-1'), step(1, 'app-2')], { value: 'app-2', dependencies: ['db'] }),
      ]);

    const t = await cli('teardown', '--state', state, '--config', config('cli-ok.ts'));
    ctx.expect(t.code).toBe(0);
    ctx.expect(t.stdout).toContain('Torn down 2 group(s).');
    ctx.expect(t.stdout.indexOf('▾ app: deprovisioning')).toBeLessThan(t.stdout.indexOf('▾ db: deprovisioning'));
    ctx.expect(stateGroups(state)).toEqual({});
  });

  test('graph prints Mermaid with an edge from db to app', async (ctx) => {
    const state = await stateFile(ctx);
    const r = await cli('graph', '--config', config('cli-ok.ts'), '--state', state);
    ctx.expect(r.code).toBe(0);
    const lines = r.stdout.split('\n').map((l) => l.trim());
    ctx.expect(lines[0]).toBe('graph TD');
    ctx.expect(lines).toContain('db["db"]');
    ctx.expect(lines).toContain('db["db"] --> app["app"]');
  });

  test('deprovision refuses a group with dependents (pointing at --cascade); --cascade deprovisions both', async (ctx) => {
    const state = await stateFile(ctx);
    ctx.expect((await cli('provision', '--config', config('cli-ok.ts'), '--state', state)).code).toBe(0);

    const refused = await cli('deprovision', 'db', '--config', config('cli-ok.ts'), '--state', state);
    ctx.expect(refused.code).toBe(2); // README: a deprovision refused because other groups depend on it
    ctx.expect(refused.stderr).toContain('Cannot deprovision "db": "app" still depends on it');
    ctx.expect(refused.stderr).toContain('--cascade');
    ctx.expect(Object.keys(stateGroups(state)).sort()).toEqual(['app', 'db']);

    const cascade = await cli('deprovision', 'db', '--cascade', '--config', config('cli-ok.ts'), '--state', state);
    ctx.expect(cascade.code).toBe(0);
    ctx.expect(cascade.stdout).toContain('✔ app deprovisioned');
    ctx.expect(cascade.stdout).toContain('✔ db deprovisioned');
    ctx.expect(stateGroups(state)).toEqual({});
  });
});

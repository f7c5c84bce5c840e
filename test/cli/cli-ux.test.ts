// The command line as people meet it: help, --version, messages, progress modes, --json, -v.
// Child runs of tasks.ts; a terminal comes from util-linux `script` (with a size set by stty).
import { runTasks, type CliRun } from '../helpers/cli.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, test, type TestContext } from 'vitest';
import { fixture as config, ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

// No inherited colour or CI settings: each test says what it wants.
const BASE_ENV = { NO_COLOR: undefined, FORCE_COLOR: undefined, CI: undefined };

const cli = (args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> =>
  runTasks(args, { env: { ...BASE_ENV, ...env }, timeoutMs: 90_000 }); // generous: the machine may be loaded

/** CliRun tasks.ts on a pseudo-terminal of 40×120; returns what the terminal received. */
async function onTerminal(args: string[], env: Record<string, string | undefined> = {}): Promise<CliRun> {
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const command = `stty rows 40 cols 120; exec '${process.execPath}' --import tsx tasks.ts ${quoted}`;
  const r = await execa('script', ['-qec', command, '/dev/null'], {
    cwd: ROOT,
    reject: false,
    stdin: 'ignore',
    timeout: 90_000, // generous: the test machine may be loaded; no assertion depends on time
    env: { ...BASE_ENV, ...env },
  });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

async function stateFile(ctx: TestContext): Promise<string> {
  return join(await tempDir('groundwork-cliux-', ctx), 'state.json');
}

const ESC = '\u001b[';
const TIMESTAMP = /^\d\d:\d\d:\d\d\.\d{3} /;

describe.concurrent('help, version and messages', { timeout: 180_000 }, () => {
  test('`provision --help` and `help teardown` show that task alone: usage, options, example', async (ctx) => {
    const [p, t] = await Promise.all([cli(['provision', '--help']), cli(['help', 'teardown'])]);
    ctx.expect(p.code).toBe(0);
    ctx.expect(p.stdout).toContain('Usage: groundwork provision [group...] [options]');
    ctx.expect(p.stdout).toContain('--dry-run');
    ctx.expect(p.stdout).toContain('--json');
    ctx.expect(p.stdout).toMatch(/Example:\n {2}groundwork provision app/);
    ctx.expect(p.stdout).not.toContain('--cascade'); // another task's option
    ctx.expect(t.code).toBe(0);
    ctx.expect(t.stdout).toContain('Usage: groundwork teardown [options]');
    ctx.expect(t.stdout).toContain('--except <group>');
  });

  test('--version prints package.json version', async (ctx) => {
    const r = await cli(['--version']);
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    ctx.expect(r.code).toBe(0);
    ctx.expect(r.stdout.trim()).toBe(pkg.version);
  });

  test('a mistyped task or option gets "did you mean"', async (ctx) => {
    const [task, option] = await Promise.all([cli(['provison']), cli(['status', '--jsn'])]);
    ctx.expect(task.code).toBe(2);
    ctx.expect(task.stderr).toContain('Unknown task "provison". Did you mean `provision`?');
    ctx.expect(option.code).toBe(2);
    ctx.expect(option.stderr).toContain('Unknown option --jsn. Did you mean --json?');
  });

  test('parse errors are sentences naming the option and value, without the parser jargon', async (ctx) => {
    const [unknown, missing, switchValue, elsewhere] = await Promise.all([
      cli(['status', '--bogus']),
      cli(['status', '--state']),
      cli(['teardown', '--force=yes']),
      cli(['status', '--force']),
    ]);
    for (const r of [unknown, missing, switchValue, elsewhere]) {
      ctx.expect(r.code).toBe(2);
      ctx.expect(r.stderr).not.toMatch(/To specify a positional argument|argument is ambiguous|'--/);
    }
    ctx.expect(unknown.stderr).toContain('Unknown option --bogus.');
    ctx.expect(missing.stderr).toContain('Option --state FILE needs a value, got nothing');
    ctx.expect(switchValue.stderr).toContain('Option --force is a switch and takes no value, got "yes"');
    ctx.expect(elsewhere.stderr).toContain('Option --force does not apply to `status` (it is an option of deprovision, teardown)');
  });

  test('an empty provisioner list is shown as [] (not "Array")', async (ctx) => {
    const r = await cli(['provision', '--config', config('cli-empty-provisioners.ts'), '--state', await stateFile(ctx)]);
    ctx.expect(r.code).toBe(2);
    ctx.expect(r.stderr).toContain('to be a non-empty array of provisioners, got [].');
  });

  test('teardown --force past a false shutdown warns without telling to pass --force, and exits 1', async (ctx) => {
    const state = await stateFile(ctx);
    const args = ['--config', config('cli-shutdown-false.ts'), '--state', state];
    ctx.expect((await cli(['provision', ...args])).code).toBe(0);
    const r = await cli(['teardown', '--force', ...args]);
    // The record is dropped, but what it made may still run: not a success.
    ctx.expect(r.code).toBe(1);
    ctx.expect(r.stderr).toContain('returned false from shutdown()');
    ctx.expect(`${r.stdout}\n${r.stderr}`).not.toContain('pass force');
  });
});

describe.concurrent('progress', { timeout: 180_000 }, () => {
  test('not on a terminal: timestamped lines, per step while few groups run, no colour', async (ctx) => {
    const r = await cli(['provision', '--config', config('cli-ok.ts'), '--state', await stateFile(ctx)]);
    ctx.expect(r.code).toBe(0);
    const progress = r.stdout.split('\n').filter((l) => TIMESTAMP.test(l));
    ctx.expect(progress.some((l) => l.includes('✔ db provisioned in'))).toBe(true);
    ctx.expect(progress.some((l) => l.includes('app [2] CliStep done in'))).toBe(true);
    ctx.expect(r.stdout).not.toContain(ESC);
  });

  test('not on a terminal with many groups: one line per group event, none per step', async (ctx) => {
    const r = await cli(['provision', '--config', config('cli-many.ts'), '--state', await stateFile(ctx)]);
    ctx.expect(r.code).toBe(0);
    const progress = r.stdout.split('\n').filter((l) => TIMESTAMP.test(l));
    ctx.expect(progress.filter((l) => / ✔ g\d+ provisioned in /.test(l))).toHaveLength(25);
    ctx.expect(progress.filter((l) => l.includes('[1] CliStep'))).toEqual([]);
  });

  test('on a terminal: coloured task list, finished groups kept, no timestamps', async (ctx) => {
    const r = await onTerminal(['provision', '--config', config('cli-fail.ts'), '--state', await stateFile(ctx)]);
    ctx.expect(r.code).toBe(1);
    ctx.expect(r.stdout).toContain(`${ESC}31m✘${ESC}39m db failed: Group "db" step 1 (CliStep) failed: db exploded`);
    ctx.expect(r.stdout).toContain(`${ESC}32m✔${ESC}39m web provisioned in`);
    ctx.expect(r.stdout).toContain('Not all groups provisioned in');
    ctx.expect(r.stdout.split(/\r?\n/).some((l) => TIMESTAMP.test(l))).toBe(false);
  });

  test('on a terminal with many groups: a running/done/failed summary instead of a line per group', async (ctx) => {
    const r = await onTerminal(['provision', '--config', config('cli-many.ts'), '--state', await stateFile(ctx)]);
    ctx.expect(r.code).toBe(0);
    ctx.expect(r.stdout).toMatch(/0 running · .*25 done.* · 0 failed {2}.*of 25/);
    ctx.expect(r.stdout).not.toContain('g3 provisioned in');
  });

  test('on a terminal under NO_COLOR: the live view without colour; under CI=true: plain timestamped lines', async (ctx) => {
    const [noColour, ci] = await Promise.all([
      onTerminal(['provision', '--config', config('cli-ok.ts'), '--state', await stateFile(ctx)], { NO_COLOR: '1' }),
      onTerminal(['provision', '--config', config('cli-ok.ts'), '--state', await stateFile(ctx)], { CI: 'true', NO_COLOR: '1' }),
    ]);
    ctx.expect(noColour.code).toBe(0);
    ctx.expect(noColour.stdout).toContain('✔ app provisioned in');
    ctx.expect(noColour.stdout).not.toMatch(/\u001b\[\d+m/); // no SGR (colour) codes; cursor moves are fine
    ctx.expect(ci.code).toBe(0);
    ctx
      .expect(
        ci.stdout
          .split(/\r?\n/)
          .filter((l) => TIMESTAMP.test(l))
          .some((l) => l.includes('✔ app provisioned in')),
      )
      .toBe(true);
  });
});

describe.concurrent('--json and -v', { timeout: 180_000 }, () => {
  test('provision --json: stdout is NDJSON, one event per line and a final summary; the rest goes to stderr', async (ctx) => {
    const state = await stateFile(ctx);
    const r = await cli(['provision', '--json', '--config', config('cli-fail.ts'), '--state', state]);
    ctx.expect(r.code).toBe(1);
    const events = r.stdout.split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const e of events) {
      ctx.expect(e.v).toBe(1);
      ctx.expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT/);
    }
    ctx.expect(events).toContainEqual(ctx.expect.objectContaining({ event: 'step:finish', group: 'web', step: 0, provisioner: 'CliStep' }));
    ctx
      .expect(events)
      .toContainEqual(
        ctx.expect.objectContaining({ event: 'group:fail', group: 'db', error: ctx.expect.objectContaining({ code: 'GW_STEP_FAILED' }) }),
      );
    ctx.expect(events.at(-1)).toMatchObject({
      event: 'summary',
      ok: false,
      exitCode: 1,
      groups: { db: 'failed', app: 'blocked', web: 'provisioned' },
    });
    ctx.expect(r.stderr).toContain('Not all groups provisioned');

    const t = await cli(['teardown', '--json', '--config', config('cli-fail.ts'), '--state', state]);
    ctx.expect(t.code).toBe(0);
    const last = JSON.parse(t.stdout.split('\n').at(-1)!) as Record<string, unknown>;
    ctx.expect(last).toMatchObject({ event: 'summary', ok: true, groups: { db: 'deprovisioned', web: 'deprovisioned' } });
  });

  test('-v prints the stack of the failing provisioner and its cause in the summary', async (ctx) => {
    const r = await cli(['provision', '-v', '--config', config('cli-fail.ts'), '--state', await stateFile(ctx)]);
    ctx.expect(r.code).toBe(1);
    ctx.expect(r.stdout).toMatch(/StepFailedError: Group "db" step 1 \(CliStep\) failed/);
    ctx.expect(r.stdout).toMatch(/caused by: Error: db exploded: disk full\n\s+at CliStep\.startup \(.*cli-steps\.ts:\d+:\d+\)/);
    const quiet = await cli(['provision', '--config', config('cli-fail.ts'), '--state', await stateFile(ctx)]);
    ctx.expect(quiet.stdout).not.toContain('caused by:');
  });
});

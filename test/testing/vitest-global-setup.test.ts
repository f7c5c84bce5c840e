// groundworkGlobalSetup, called the way vitest calls a globalSetup: with a project whose provide() we capture.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { groundworkGlobalSetup } from '../../src/testing/vitest.js';
import {
  defineConfig,
  LocalService,
  registerProvisioner,
  Scheduler,
  type GroundworkConfig,
  type LocalServiceOutput,
} from '../../src/index.js';
import { echo } from '../helpers/net.js';
import { fixture } from '../helpers/paths.js';
import { serviceWorkspace } from '../helpers/processes.js';
import { StubProvisioner } from '../helpers/provisioners.js';
import { stateGroups, stepFields } from '../helpers/state.js';
import { isRunning } from '../helpers/wait.js';

/** Appends a line to a file each time its startup runs: counts startups across runs. */
class CountStartups extends StubProvisioner {
  constructor(public file: string) {
    super();
  }
  override startup() {
    appendFileSync(this.file, 'startup\n');
    return { counted: this.file };
  }
  override report() {
    return [this.file];
  }
}
registerProvisioner(CountStartups, 'GlobalSetupTest.CountStartups');

function echoServer(file = 'service-echo.ts'): LocalService {
  return new LocalService({ command: process.execPath, args: ['--import', 'tsx', fixture(file), '--port', '{{port}}'], port: 'auto' });
}

/** One `echo` group: a startup counter, then an echo server (whose output is the group's). */
function echoConfig(counterFile: string): GroundworkConfig {
  return defineConfig({ groups: { echo: { provisioners: () => [new CountStartups(counterFile), echoServer()] } } });
}

function startups(counterFile: string): number {
  return existsSync(counterFile) ? readFileSync(counterFile, 'utf8').split('\n').filter(Boolean).length : 0;
}

function fakeProject() {
  const provided: Record<string, unknown> = {};
  return {
    provided,
    project: {
      provide(key: string, value: unknown) {
        provided[key] = value;
      },
    },
  };
}

/** Temp state and a safety net (see serviceWorkspace), plus a file for CountStartups. */
async function workspace() {
  const ws = await serviceWorkspace('groundwork-setup-');
  return { ...ws, counterFile: join(ws.dir, 'startups.txt') };
}

test('provides the outputs of the named groups (loaded from a config file); its teardown stops them and empties the state', async () => {
  const { stateFile, track } = await workspace();
  const { provided, project } = fakeProject();

  const teardown = await groundworkGlobalSetup({ config: fixture('hook-config.ts'), stateFile, groups: ['app'] })(project);

  expect(Object.keys(provided)).toEqual(['groundwork']);
  const outputs = provided.groundwork as Record<string, LocalServiceOutput>;
  expect(Object.keys(outputs)).toEqual(['app']);
  const app = outputs.app!;
  track(app.pid);
  expect(app).toEqual({ host: '127.0.0.1', port: expect.any(Number), address: `127.0.0.1:${app.port}`, pid: expect.any(Number) });
  expect(await echo(app, 'hello app')).toBe('hello app');

  // `app` came with its dependency `db`, but not with `spare`; the override state file was used.
  const groups = stateGroups(stateFile);
  expect(Object.keys(groups).sort()).toEqual(['app', 'db']);
  expect(groups.db?.state).toBe('provisioned');
  const dbPid = stepFields(stateFile, 'db', 0).pid as number;
  track(dbPid);
  expect(isRunning(dbPid)).toBe(true);
  // The state is not locked while the tests run.
  expect(existsSync(`${stateFile}.lock`)).toBe(false);

  await teardown();
  expect(isRunning(app.pid)).toBe(false);
  expect(isRunning(dbPid)).toBe(false);
  expect(stateGroups(stateFile)).toEqual({});
});

test('groups left by a run whose teardown never ran are torn down by the next setup, which starts fresh ones', async () => {
  const { stateFile, counterFile, track } = await workspace();
  const config = echoConfig(counterFile);

  const first = fakeProject();
  await groundworkGlobalSetup({ config, stateFile, groups: ['echo'] })(first.project);
  const old = (first.provided.groundwork as Record<string, LocalServiceOutput>).echo!;
  track(old.pid);
  expect(await echo(old, 'first run')).toBe('first run');
  // No teardown: as if vitest had been stopped with SIGINT.

  const second = fakeProject();
  const teardown = await groundworkGlobalSetup({ config, stateFile, groups: ['echo'] })(second.project);
  const fresh = (second.provided.groundwork as Record<string, LocalServiceOutput>).echo!;
  track(fresh.pid);

  expect(isRunning(old.pid)).toBe(false);
  expect(fresh.pid).not.toBe(old.pid);
  expect(isRunning(fresh.pid)).toBe(true);
  expect(await echo(fresh, 'second run')).toBe('second run');
  expect(startups(counterFile)).toBe(2);

  await teardown();
  expect(isRunning(fresh.pid)).toBe(false);
  expect(stateGroups(stateFile)).toEqual({});
});

test('with keep, the next setup reuses the provisioned group and no teardown stops it', async () => {
  const { stateFile, counterFile, track } = await workspace();
  const config = echoConfig(counterFile);

  const first = fakeProject();
  const firstTeardown = await groundworkGlobalSetup({ config, stateFile, groups: ['echo'], keep: true })(first.project);
  const kept = (first.provided.groundwork as Record<string, LocalServiceOutput>).echo!;
  track(kept.pid);
  await firstTeardown();
  expect(isRunning(kept.pid)).toBe(true);

  const second = fakeProject();
  const secondTeardown = await groundworkGlobalSetup({ config, stateFile, groups: ['echo'], keep: true })(second.project);
  expect(second.provided.groundwork).toEqual({ echo: kept });
  expect(startups(counterFile)).toBe(1);
  expect(await echo(kept, 'reused')).toBe('reused');

  await secondTeardown();
  expect(isRunning(kept.pid)).toBe(true);
  expect(stateGroups(stateFile).echo?.state).toBe('provisioned');

  // Clean up ourselves, as a later non-keep run would.
  {
    await using s = await Scheduler.open({ stateFile });
    expect(await s.teardown()).toMatchObject({ ok: true, removed: ['echo'] });
  }
  expect(isRunning(kept.pid)).toBe(false);
  expect(stateGroups(stateFile)).toEqual({});
});

test('a group that fails makes setup reject, naming it, and leaves nothing behind', async () => {
  const { stateFile } = await workspace();
  const config = defineConfig({ groups: { broken: { provisioners: () => [echoServer('service-crash.ts')] } } });
  const { provided, project } = fakeProject();

  await expect(groundworkGlobalSetup({ config, stateFile })(project)).rejects.toThrow(/broken failed .*exited with code 3/);
  expect(provided).toEqual({});
  expect(stateGroups(stateFile)).toEqual({});
});

// Errors users see (in the state file, as a step's cause, from the API) carry a
// code: the places that threw plain Errors before. Real servers, processes and files.
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, onTestFinished, test } from 'vitest';
import {
  CheckFailedError,
  ConfigError,
  HttpCheck,
  JsonFileStore,
  LocalService,
  NotReadyError,
  ProcessError,
  registerProvisioner,
  Scheduler,
  StoreClosedError,
  UnlockRefusedError,
} from '../src/index.js';
import { unlockState } from '../src/state/lock.js';
import { writeSshdConfig } from '../src/transport/sshd-config.js';
import { fixture } from './helpers/paths.js';
import { serviceWorkspace } from './helpers/processes.js';
import { StubProvisioner, Tagged } from './helpers/provisioners.js';
import { readRawState } from './helpers/state.js';
import { tempDir, tempStateFile } from './helpers/temp.js';

interface RecordedError {
  message: string;
  code?: string;
  step?: number;
}
const recordedError = (stateFile: string, group: string) =>
  (readRawState(stateFile).groups[group] as unknown as { error?: RecordedError }).error;

/** Startup returns false: the step fails. */
class FailsAtStartup extends StubProvisioner {
  override startup() {
    return false;
  }
}
registerProvisioner(FailsAtStartup, 'ErrorsTest.FailsAtStartup');

/** The cause of each failed step, in the order they failed. */
function stepCauses(s: Scheduler): unknown[] {
  const causes: unknown[] = [];
  s.on('step:fail', ({ error }) => causes.push(error.cause));
  return causes;
}

test('a failing HttpCheck: the state records GW_STEP_FAILED and the cause is a CheckFailedError naming the URL', async () => {
  const srv = createServer((_req, res) => res.writeHead(503).end('maintenance'));
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  onTestFinished(() => new Promise<void>((resolve) => srv.close(() => resolve())));
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/`;
  const stateFile = await tempStateFile('groundwork-errors-');
  await using s = await Scheduler.open({ stateFile });
  const causes = stepCauses(s);
  await s.schedule('web', [new HttpCheck({ url, timeoutMs: 100 })]);

  expect((await s.run()).ok).toBe(false);
  expect(causes).toHaveLength(1);
  const cause = causes[0] as CheckFailedError;
  expect(cause).toBeInstanceOf(CheckFailedError);
  expect(cause).toMatchObject({ code: 'GW_CHECK_FAILED', url, group: 'web', step: 0 });
  expect(cause.message).toContain(`GET ${url}: got 503 "maintenance", expected 200 (gave up after 100 ms); check that the service answers`);
  expect(recordedError(stateFile, 'web')).toMatchObject({ code: 'GW_STEP_FAILED', step: 0 });
});

test('a blocked group is recorded with GW_GROUP_BLOCKED and the groups it waited on', async () => {
  const stateFile = await tempStateFile('groundwork-errors-');
  {
    await using s = await Scheduler.open({ stateFile });
    await s.schedule('db', [new FailsAtStartup()]);
    await s.schedule('app', [new Tagged('app')], { dependsOn: ['db'] });
    const summary = await s.run();
    expect(summary.groups.find((g) => g.group === 'app')).toMatchObject({ state: 'blocked', error: 'blocked: db did not provision' });
  }
  expect(recordedError(stateFile, 'app')).toEqual({ message: 'blocked: db did not provision', code: 'GW_GROUP_BLOCKED' });
  expect(recordedError(stateFile, 'db')).toMatchObject({ code: 'GW_STEP_FAILED' });
});

test('a LocalService whose command does not exist fails with a ProcessError naming the command', async () => {
  const { stateFile } = await serviceWorkspace('groundwork-errors-');
  await using s = await Scheduler.open({ stateFile });
  const causes = stepCauses(s);
  const command = join(await tempDir('groundwork-errors-'), 'no-such-command');
  await s.schedule('svc', [new LocalService({ command, port: 'auto' })]);

  expect((await s.run()).ok).toBe(false);
  const cause = causes[0] as ProcessError;
  expect(cause).toBeInstanceOf(ProcessError);
  expect(cause).toMatchObject({ code: 'GW_PROCESS', command });
  expect(cause.message).toMatch(new RegExp(`^Could not start ${command}: .*ENOENT.*Check that the command is installed and on PATH`, 's'));
});

test('a LocalService that exits before it listens fails with a NotReadyError carrying host, port and its output', async () => {
  const { stateFile, track } = await serviceWorkspace('groundwork-errors-');
  await using s = await Scheduler.open({ stateFile });
  const causes = stepCauses(s);
  const service = new LocalService({ command: process.execPath, args: ['--import', 'tsx', fixture('service-crash.ts')], port: 'auto' });
  await s.schedule('crash', [service]);

  expect((await s.run()).ok).toBe(false);
  if (service.pid !== undefined) track(service.pid);
  const cause = causes[0] as NotReadyError;
  expect(cause).toBeInstanceOf(NotReadyError);
  expect(cause).toMatchObject({ code: 'GW_NOT_READY', host: '127.0.0.1', group: 'crash', step: 0 });
  expect(cause.port).toEqual(expect.any(Number));
  expect(cause.message).toMatch(/exited with code 3 before 127\.0\.0\.1:\d+ answered/);
  expect(cause.message).toContain('crash-fixture: cannot open the database (boom-marker)');
  expect(cause.cause).toBeInstanceOf(NotReadyError);
});

test('an unlock with the wrong id is refused with its own code, GW_UNLOCK_REFUSED', async () => {
  const stateFile = await tempStateFile('groundwork-errors-');
  const owner = { id: 'a1b2c3d4-0000-4000-8000-000000000002', pid: 4121, host: 'other-host', since: '2026-11-22T03:00:00.000Z' };
  await writeFile(`${stateFile}.lock`, JSON.stringify(owner));

  const error = await unlockState(stateFile, 'not-the-id').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(UnlockRefusedError);
  expect(error).toMatchObject({ code: 'GW_UNLOCK_REFUSED', file: stateFile });
});

test('a state store used after close() throws StoreClosedError naming the file', async () => {
  const stateFile = await tempStateFile('groundwork-errors-');
  const store = new JsonFileStore(stateFile);
  await store.open();
  await store.close();

  expect(() => store.putGroups([])).toThrow(StoreClosedError);
  expect(() => store.deleteGroup('db')).toThrow(expect.objectContaining({ code: 'GW_STORE_CLOSED', file: stateFile }));
});

test('writeSshdConfig with no listen address is a ConfigError naming `listen`', async () => {
  const dir = await tempDir('groundwork-errors-');
  const error = await writeSshdConfig({ dir, listen: [], authorizedKeys: [] } as unknown as Parameters<typeof writeSshdConfig>[0]).catch(
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect(error).toMatchObject({ code: 'GW_CONFIG', message: expect.stringContaining('`listen` is empty') });
});

// LocalService, run through the Scheduler against real processes and real sockets.
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { LocalService, Scheduler, type LocalServiceOptions, type LocalServiceOutput, type Logger } from '../../src/index.js';
import { stopProcessGroup } from '../../src/os/process-tree.js';
import { echo } from '../helpers/net.js';
import { fixture } from '../helpers/paths.js';
import { serviceWorkspace, startTimeOf } from '../helpers/processes.js';
import { readRawState, stepFields, writeRawState } from '../helpers/state.js';
import { isRunning } from '../helpers/wait.js';

function service(file: string, extraArgs: string[] = [], options: Partial<LocalServiceOptions> = {}): LocalService {
  return new LocalService({
    command: process.execPath,
    args: ['--import', 'tsx', fixture(file), '--port', '{{port}}', ...extraArgs],
    port: 'auto',
    ...options,
  });
}

const workspace = () => serviceWorkspace('groundwork-service-');

function capturingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  return { warnings, debug() {}, info() {}, error() {}, warn: (m: string) => void warnings.push(m) };
}

test('starts a real server, resolves only once its port answers, and keeps pid, startTime and port in the snapshot', async () => {
  const { stateFile, track } = await workspace();
  await using s = await Scheduler.open({ stateFile });
  // The server listens only 300 ms after it starts: startup must wait for it.
  await s.schedule('echo', [service('service-echo.ts', ['--listen-after-ms', '300'])]);

  const summary = await s.run();
  const out = s.output('echo') as LocalServiceOutput;
  if (out?.pid) track(out.pid);
  expect(summary.groups).toEqual([{ group: 'echo', state: 'provisioned' }]);
  expect(summary.ok).toBe(true);

  // One connection attempt right after startup resolved: no retry, so the port must already answer.
  expect(await echo(out, 'ping from the test')).toBe('ping from the test');

  expect(out).toEqual({ host: '127.0.0.1', port: expect.any(Number), address: `127.0.0.1:${out.port}`, pid: expect.any(Number) });
  expect(out.port).toBeGreaterThan(0);
  expect(isRunning(out.pid)).toBe(true);

  // The snapshot on disk is what a later process stops: pid, the kernel start time and the bound port.
  const fields = stepFields(stateFile, 'echo', 0);
  expect(fields.pid).toBe(out.pid);
  expect(fields.startTime).toBe(startTimeOf(out.pid));
  expect(fields.boundPort).toBe(out.port);
  expect(fields.resolvedArgs).toEqual([
    '--import',
    'tsx',
    fixture('service-echo.ts'),
    '--port',
    String(out.port),
    '--listen-after-ms',
    '300',
  ]);
  expect(s.status()[0]?.steps[0]?.report).toContain(`pid ${out.pid} running, 127.0.0.1:${out.port}`);

  const teardown = await s.teardown();
  expect(teardown).toMatchObject({ ok: true, removed: ['echo'] });
  expect(isRunning(out.pid)).toBe(false);
  expect(s.groups()).toEqual([]);
  await expect(echo(out, 'anyone?')).rejects.toThrow(/ECONNREFUSED/);
});

test(
  'a process that exits before its port answers fails fast, with its exit code and the tail of its log',
  { timeout: 20_000 },
  async () => {
    const { stateFile, track } = await workspace();
    await using s = await Scheduler.open({ stateFile });
    // A readiness timeout longer than the test's: only the exit can end this startup in time.
    await s.schedule('crash', [service('service-crash.ts', [], { readyTimeoutMs: 60_000 })]);

    const summary = await s.run();
    const pid = stepFields(stateFile, 'crash', 0).pid as number;
    track(pid);

    expect(summary.ok).toBe(false);
    expect(summary.groups[0]).toMatchObject({ group: 'crash', state: 'failed' });
    const error = summary.groups[0]?.error ?? '';
    expect(error).toMatch(/exited with code 3/);
    expect(error).toContain('crash-fixture: cannot open the database (boom-marker)');
    expect(error).toContain('crash-fixture: starting up');
    expect(error).not.toMatch(/did not accept connections/);
    expect(isRunning(pid)).toBe(false);
    expect(readRawState(stateFile).groups.crash?.steps[0]?.state).toBe('failed');
  },
);

test('a readiness timeout fails the step and leaves no process behind', async () => {
  const { stateFile, track } = await workspace();
  await using s = await Scheduler.open({ stateFile });
  // A shell, not the tsx fixture: it prints at once, so the log tail is there however loaded the machine is.
  const silent = new LocalService({
    command: 'sh',
    args: ['-c', 'echo "silent-fixture: up, but never listening"; exec sleep 600'],
    port: 'auto',
    readyTimeoutMs: 1_500,
  });
  await s.schedule('silent', [silent]);

  const summary = await s.run();
  // The pid was checkpointed before the wait, so it is in the state even though startup failed.
  const pid = stepFields(stateFile, 'silent', 0).pid as number;
  track(pid);

  expect(summary.ok).toBe(false);
  expect(summary.groups[0]).toMatchObject({ group: 'silent', state: 'failed' });
  const error = summary.groups[0]?.error ?? '';
  expect(error).toMatch(/127\.0\.0\.1:\d+ did not accept connections within 1500 ms/);
  expect(error).toContain('silent-fixture: up, but never listening');
  expect(pid).toEqual(expect.any(Number));
  expect(isRunning(pid)).toBe(false);
});

test('shutdown stops the whole process group, grandchildren included', async () => {
  const { dir, stateFile, track, trackOther } = await workspace();
  const pidFile = join(dir, 'grandchild.pid');
  await using s = await Scheduler.open({ stateFile });
  await s.schedule('family', [service('service-echo.ts', ['--grandchild-pid-file', pidFile])]);

  expect((await s.run()).ok).toBe(true);
  const out = s.output('family') as LocalServiceOutput;
  track(out.pid);
  // Written before the server listened, so it is there once startup resolved.
  const grandchild = Number(await readFile(pidFile, 'utf8'));
  trackOther(grandchild);
  expect(isRunning(out.pid)).toBe(true);
  expect(isRunning(grandchild)).toBe(true);
  expect(grandchild).not.toBe(out.pid);

  expect(await s.teardown()).toMatchObject({ ok: true, removed: ['family'] });
  expect(isRunning(out.pid)).toBe(false);
  expect(isRunning(grandchild)).toBe(false);
});

test('a process that ignores SIGTERM is killed after stopTimeoutMs, and the shutdown still succeeds', async () => {
  const { dir, stateFile, track } = await workspace();
  const termFile = join(dir, 'term.txt');
  const logger = capturingLogger();
  await using s = await Scheduler.open({ stateFile, logger });
  await s.schedule('stubborn', [service('service-echo.ts', ['--ignore-term', '--term-file', termFile], { stopTimeoutMs: 300 })]);

  expect((await s.run()).ok).toBe(true);
  const out = s.output('stubborn') as LocalServiceOutput;
  track(out.pid);

  const teardown = await s.teardown();
  expect(teardown).toMatchObject({ ok: true, removed: ['stubborn'], failed: [] });
  expect(isRunning(out.pid)).toBe(false);
  // It was asked nicely first, ignored it, and was killed.
  expect(readFileSync(termFile, 'utf8')).toBe('SIGTERM\n');
  expect(logger.warnings.join('\n')).toMatch(new RegExp(`pid ${out.pid} ignored SIGTERM for 300 ms; killed its process group`));
});

test('a new Scheduler on the same state file stops exactly the processes the first one started', async () => {
  const { stateFile, track } = await workspace();
  let a: LocalServiceOutput;
  let b: LocalServiceOutput;
  {
    await using first = await Scheduler.open({ stateFile });
    await first.scheduleAll([
      { name: 'a', provisioners: [service('service-echo.ts')] },
      { name: 'b', provisioners: [service('service-echo.ts')] },
    ]);
    expect((await first.run()).ok).toBe(true);
    a = first.output('a') as LocalServiceOutput;
    b = first.output('b') as LocalServiceOutput;
    track(a.pid);
    track(b.pid);
  }
  // Closing the scheduler leaves the services running.
  expect(await echo(a, 'a?')).toBe('a?');
  expect(await echo(b, 'b?')).toBe('b?');

  await using second = await Scheduler.open({ stateFile });
  expect(second.groups()).toEqual(['a', 'b']);
  expect(await second.deprovision('a')).toEqual([]);
  expect(isRunning(a.pid)).toBe(false);
  expect(isRunning(b.pid)).toBe(true);
  expect(await echo(b, 'still here')).toBe('still here');

  expect(await second.teardown()).toMatchObject({ ok: true, removed: ['b'] });
  expect(isRunning(b.pid)).toBe(false);
  expect(second.groups()).toEqual([]);
});

test('teardown succeeds when the process was already stopped by other means', async () => {
  const { stateFile, track } = await workspace();
  let out: LocalServiceOutput;
  {
    await using first = await Scheduler.open({ stateFile });
    await first.schedule('gone', [service('service-echo.ts')]);
    expect((await first.run()).ok).toBe(true);
    out = first.output('gone') as LocalServiceOutput;
    track(out.pid);
  }
  // Someone else stops it (resolves once the group is gone).
  expect(await stopProcessGroup(out.pid, startTimeOf(out.pid), { graceMs: 5_000 })).toEqual({ wasRunning: true, killed: false });
  expect(isRunning(out.pid)).toBe(false);

  await using second = await Scheduler.open({ stateFile });
  expect(await second.teardown()).toMatchObject({ ok: true, removed: ['gone'], failed: [] });
  expect(second.groups()).toEqual([]);
});

test('a pid that now belongs to another process (start time differs) is not signalled, and teardown succeeds', async () => {
  const { dir, stateFile, track } = await workspace();
  const termFile = join(dir, 'term.txt');
  let out: LocalServiceOutput;
  {
    await using first = await Scheduler.open({ stateFile });
    await first.schedule('reused', [service('service-echo.ts', ['--term-file', termFile])]);
    expect((await first.run()).ok).toBe(true);
    out = first.output('reused') as LocalServiceOutput;
    track(out.pid);
  }
  // Make the snapshot describe an earlier process that had the same pid.
  const realStart = startTimeOf(out.pid)!;
  const raw = readRawState(stateFile);
  const fields = raw.groups.reused!.steps[0]!.provisioner.fields.json;
  expect(fields.startTime).toBe(realStart);
  fields.startTime = realStart - 1;
  writeRawState(stateFile, raw);

  await using second = await Scheduler.open({ stateFile });
  expect(await second.teardown()).toMatchObject({ ok: true, removed: ['reused'], failed: [] });
  expect(second.groups()).toEqual([]);

  // The process that holds the pid now was left alone: never signalled, still serving.
  expect(isRunning(out.pid)).toBe(true);
  expect(existsSync(termFile)).toBe(false);
  expect(await echo(out, 'untouched')).toBe('untouched');

  await stopProcessGroup(out.pid, realStart, { graceMs: 5_000 });
  expect(isRunning(out.pid)).toBe(false);
});

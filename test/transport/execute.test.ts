// SshMachine.execute against a real OpenSSH sshd on a loopback port.
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SshMachine } from '../../src/transport/ssh-machine.js';
import { MachineCommandError } from '../../src/errors.js';
import { connectTo, runSshd, sshdAvailability } from '../helpers/sshd.js';

const sshd = sshdAvailability();

describe.skipIf(!sshd.available)(`execute over SSH ${sshd.reason}`, () => {
  let server: Awaited<ReturnType<typeof runSshd>>;
  let machine: SshMachine;

  beforeAll(async () => {
    server = await runSshd();
    machine = await connectTo(server);
  });
  afterAll(async () => {
    await machine?.close();
    await server?.stop();
  });

  test('returns stdout, stderr, exit code and duration', async () => {
    const result = await machine.execute('echo out; echo err >&2');
    expect(result).toMatchObject({
      machine: 'web1',
      command: 'echo out; echo err >&2',
      exitCode: 0,
      stdout: 'out',
      stderr: 'err',
      failed: false,
      timedOut: false,
      isCanceled: false,
    });
    expect(result.durationMs).toBeGreaterThanOrEqual(0);
  });

  test('a non-zero exit rejects with MachineCommandError carrying the result', async () => {
    const error = await machine.execute('echo partial; echo oops >&2; exit 3').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MachineCommandError);
    expect(error).toMatchObject({
      code: 'GW_MACHINE_COMMAND',
      machine: 'web1',
      exitCode: 3,
      stdout: 'partial',
      stderr: 'oops',
      failed: true,
      timedOut: false,
    });
    expect((error as MachineCommandError).shortMessage).toBe(
      'Command failed on web1 with exit code 3: echo partial; echo oops >&2; exit 3',
    );
    expect((error as Error).message).toContain('oops');
  });

  test('reject: false resolves with the failed result', async () => {
    const result = await machine.execute('exit 7', { reject: false });
    expect(result).toMatchObject({ exitCode: 7, failed: true });
  });

  test('runs in cwd', async () => {
    expect((await machine.execute('pwd', { cwd: '/tmp' })).stdout).toBe('/tmp');
  });

  test('onOutput receives the chunks as they come', async () => {
    const chunks: [string, string][] = [];
    await machine.execute('printf a; printf b >&2; printf c', { onOutput: (chunk, stream) => chunks.push([chunk, stream]) });
    expect(
      chunks
        .filter(([, s]) => s === 'stdout')
        .map(([c]) => c)
        .join(''),
    ).toBe('ac');
    expect(
      chunks
        .filter(([, s]) => s === 'stderr')
        .map(([c]) => c)
        .join(''),
    ).toBe('b');
  });

  /** Resolves with the exit code of a remote wait for `pid` to be gone: 0 once it is, 124 if it still runs after 5 s. */
  const waitGone = async (pid: string) =>
    (await machine.execute(`timeout 5 tail --pid=${pid.trim()} -s 0.05 -f /dev/null`, { reject: false })).exitCode;

  test('a timeout fails with timedOut and the remote processes are gone', async () => {
    let pid = '';
    const command = 'sleep 30 & echo $!; wait';
    const error = await machine.execute(command, { timeout: 300, onOutput: (chunk) => (pid += chunk) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MachineCommandError);
    expect(error).toMatchObject({ timedOut: true, isCanceled: false, exitCode: undefined, failed: true });
    expect((error as MachineCommandError).shortMessage).toBe(`Command timed out after 300 ms on web1: ${command}`);
    // The background sleep is a child of the remote shell: the whole process group was stopped.
    expect(await waitGone(pid)).toBe(0);
  });

  test('an AbortSignal cancels the command with isCanceled and stops it', async () => {
    const controller = new AbortController();
    let pid = '';
    const running = machine.execute('sleep 30 & echo $!; wait', {
      signal: controller.signal,
      onOutput: (chunk) => {
        pid += chunk;
        controller.abort();
      },
    });
    await expect(running).rejects.toMatchObject({ isCanceled: true, timedOut: false, exitCode: undefined });
    await expect(running).rejects.toThrow('Command was canceled on web1');
    expect(await waitGone(pid)).toBe(0);
  });

  test('an already aborted signal fails at once', async () => {
    await expect(machine.execute('echo never', { signal: AbortSignal.abort() })).rejects.toMatchObject({ isCanceled: true, stdout: '' });
  });

  test('a command killed by a signal has no exit code and fails', async () => {
    const error = await machine.execute('kill -KILL $$').catch((e: unknown) => e);
    expect(error).toMatchObject({ exitCode: undefined, signal: 'SIGKILL', failed: true });
  });
});

// LocalMachine: this host through execa, with the same result and error semantics as an SshMachine.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { MachineCommandError, MachineTransferError } from '../../src/errors.js';
import { LocalMachine } from '../../src/machines/local-machine.js';
import { tempDir } from '../helpers/temp.js';
import { isRunning } from '../helpers/wait.js';

const machine = new LocalMachine('here');

test('returns stdout, stderr, exit code and duration', async () => {
  const result = await machine.execute('echo out; echo err >&2');
  expect(result).toMatchObject({
    machine: 'here',
    exitCode: 0,
    stdout: 'out',
    stderr: 'err',
    failed: false,
    timedOut: false,
    isCanceled: false,
  });
  expect(result.durationMs).toBeGreaterThanOrEqual(0);
});

test('a non-zero exit rejects with MachineCommandError; reject: false resolves', async () => {
  const error = await machine.execute('echo oops >&2; exit 3').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MachineCommandError);
  expect(error).toMatchObject({ code: 'GW_MACHINE_COMMAND', exitCode: 3, stderr: 'oops', failed: true });
  expect((error as MachineCommandError).shortMessage).toBe('Command failed on here with exit code 3: echo oops >&2; exit 3');
  expect(await machine.execute('exit 4', { reject: false })).toMatchObject({ exitCode: 4, failed: true });
});

test('runs in cwd and passes output chunks to onOutput', async () => {
  const dir = await tempDir('groundwork-local-');
  const chunks: string[] = [];
  const result = await machine.execute('pwd; echo e >&2', { cwd: dir, onOutput: (chunk, stream) => chunks.push(`${stream}:${chunk}`) });
  expect(result.stdout).toBe(dir);
  expect(chunks).toContain(`stdout:${dir}\n`);
  expect(chunks).toContain('stderr:e\n');
});

test('a timeout fails with timedOut and stops the whole process group', async () => {
  let pid = '';
  const error = await machine
    .execute('sleep 30 & echo $!; wait', { timeout: 300, onOutput: (chunk) => (pid += chunk) })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(MachineCommandError);
  expect(error).toMatchObject({ timedOut: true, isCanceled: false, exitCode: undefined, failed: true });
  expect((error as MachineCommandError).shortMessage).toBe('Command timed out after 300 ms on here: sleep 30 & echo $!; wait');
  expect(isRunning(Number(pid.trim()))).toBe(false);
});

test('an AbortSignal cancels with isCanceled', async () => {
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
  expect(isRunning(Number(pid.trim()))).toBe(false);
});

test('a command killed by a signal fails without an exit code', async () => {
  await expect(machine.execute('kill -KILL $$')).rejects.toMatchObject({ exitCode: undefined, signal: 'SIGKILL', failed: true });
});

test('writeFile, readFile, uploadFile and downloadFile', async () => {
  const dir = await tempDir('groundwork-local-');
  await machine.writeFile(join(dir, 'a.txt'), 'hello');
  expect((await machine.readFile(join(dir, 'a.txt'))).toString()).toBe('hello');
  await writeFile(join(dir, 'src.bin'), Buffer.from([0, 1, 2, 255]));
  await machine.uploadFile(join(dir, 'src.bin'), join(dir, 'up.bin'));
  await machine.downloadFile(join(dir, 'up.bin'), join(dir, 'down.bin'));
  expect([...(await readFile(join(dir, 'down.bin')))]).toEqual([0, 1, 2, 255]);
  const missing = await machine.readFile(join(dir, 'nope')).catch((e: unknown) => e);
  expect(missing).toBeInstanceOf(MachineTransferError);
  expect((missing as Error).message).toContain(`readFile ${join(dir, 'nope')} on here failed`);
  expect(existsSync(join(dir, 'nope'))).toBe(false);
});

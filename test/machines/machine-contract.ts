// The Machine contract: what every Machine (LocalMachine, SshMachine) does the same way —
// results, errors, cwd, output chunks, timeouts, cancellation, files. Each implementation's
// test file calls machineContract() with a factory; tests only one of them has stay in its file.
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { MachineCommandError, MachineTransferError } from '../../src/errors.js';
import type { Machine } from '../../src/machines/machine.js';
import { tempDir } from '../helpers/temp.js';

export interface ContractTarget<M extends Machine> {
  /** Called in beforeAll; the machine is closed in afterAll. */
  open(): Promise<M>;
}

/** A command that leaves a background child of its shell, tagged so that it can be found; and the tag. */
function tagged(): { command: string; tag: string } {
  const tag = `30.${randomInt(100_000, 1_000_000)}`;
  return { command: `sleep ${tag} & echo started; wait`, tag };
}

/**
 * Exit code of a wait, run on the machine itself, until no process runs `sleep <tag>`:
 * 0 once none is left, 124 if one still runs after 5 s. A stopped command settles at
 * once; over SSH its remote kill follows, so this may have to wait. ("[s]leep" keeps
 * pgrep from matching this very shell.)
 */
async function leftoverWait(machine: Machine, tag: string): Promise<number | undefined> {
  const script = `while pgrep -f '[s]leep ${tag}' >/dev/null; do sleep 0.05; done`;
  return (await machine.execute(`timeout 5 sh -c ${JSON.stringify(script)}`, { reject: false })).exitCode;
}

/** Define the contract's tests in the current describe block; returns the machine under test (set in beforeAll). */
export function machineContract<M extends Machine>(target: ContractTarget<M>): () => M {
  let opened: M | undefined;
  const machine = (): M => opened ?? expect.unreachable('the machine is not open yet');
  beforeAll(async () => {
    opened = await target.open();
  });
  afterAll(async () => {
    await opened?.close();
  });

  test('returns stdout, stderr, exit code and duration', async () => {
    const result = await machine().execute('echo out; echo err >&2');
    expect(result).toMatchObject({
      machine: machine().name,
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
    const error = await machine()
      .execute('echo partial; echo oops >&2; exit 3')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MachineCommandError);
    expect(error).toMatchObject({
      code: 'GW_MACHINE_COMMAND',
      machine: machine().name,
      exitCode: 3,
      stdout: 'partial',
      stderr: 'oops',
      failed: true,
      timedOut: false,
    });
    expect((error as MachineCommandError).shortMessage).toBe(
      `Command failed on ${machine().name} with exit code 3: echo partial; echo oops >&2; exit 3`,
    );
    expect((error as Error).message).toContain('oops');
  });

  test('reject: false resolves with the failed result', async () => {
    expect(await machine().execute('exit 7', { reject: false })).toMatchObject({ exitCode: 7, failed: true });
  });

  test('runs in cwd', async () => {
    const dir = await tempDir('groundwork-contract-');
    expect((await machine().execute('pwd', { cwd: dir })).stdout).toBe(dir);
  });

  test('onOutput receives the chunks as they come', async () => {
    const chunks: [string, string][] = [];
    await machine().execute('printf a; printf b >&2; printf c', { onOutput: (chunk, stream) => chunks.push([chunk, stream]) });
    const joined = (stream: string) =>
      chunks
        .filter(([, s]) => s === stream)
        .map(([c]) => c)
        .join('');
    expect(joined('stdout')).toBe('ac');
    expect(joined('stderr')).toBe('b');
  });

  test('a timeout fails with timedOut, names the timeout, and stops the whole process group', async () => {
    const { command, tag } = tagged();
    const error = await machine()
      .execute(command, { timeout: 300 })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MachineCommandError);
    expect(error).toMatchObject({ timedOut: true, isCanceled: false, exitCode: undefined, failed: true });
    expect((error as MachineCommandError).shortMessage).toBe(`Command timed out after 300 ms on ${machine().name}: ${command}`);
    // The background sleep is a child of the shell: the whole process group was stopped.
    expect(await leftoverWait(machine(), tag)).toBe(0);
  });

  test('an AbortSignal cancels the command with isCanceled and stops it', async () => {
    const controller = new AbortController();
    const { command, tag } = tagged();
    // Aborted once the shell has started its child.
    const running = machine().execute(command, { signal: controller.signal, onOutput: () => controller.abort() });
    await expect(running).rejects.toMatchObject({ isCanceled: true, timedOut: false, exitCode: undefined });
    await expect(running).rejects.toThrow(`Command was canceled on ${machine().name}`);
    expect(await leftoverWait(machine(), tag)).toBe(0);
  });

  test('an already aborted signal fails with isCanceled and does not run the command', async () => {
    const dir = await tempDir('groundwork-contract-');
    const marker = join(dir, 'ran');
    await expect(machine().execute(`touch ${marker}; echo never`, { signal: AbortSignal.abort() })).rejects.toMatchObject({
      isCanceled: true,
      stdout: '',
    });
    expect(existsSync(marker)).toBe(false);
  });

  test('a command killed by a signal has no exit code and fails', async () => {
    await expect(machine().execute('kill -KILL $$')).rejects.toMatchObject({ exitCode: undefined, signal: 'SIGKILL', failed: true });
  });

  test('writeFile then readFile, text and bytes', async () => {
    const dir = await tempDir('groundwork-contract-');
    await machine().writeFile(join(dir, 'a.txt'), 'héllo\n');
    expect((await machine().readFile(join(dir, 'a.txt'))).toString('utf8')).toBe('héllo\n');
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('héllo\n');
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    await machine().writeFile(join(dir, 'b.bin'), bytes.subarray(1, 5));
    expect([...(await machine().readFile(join(dir, 'b.bin')))]).toEqual([1, 2, 253, 254]);
    expect((await machine().execute(`wc -c < ${join(dir, 'b.bin')}`)).stdout.trim()).toBe('4');
  });

  test('uploadFile then downloadFile round trip a larger file', async () => {
    const dir = await tempDir('groundwork-contract-');
    const content = Buffer.alloc(300_000, 'abcdefghij');
    await writeFile(join(dir, 'local.bin'), content);
    await machine().uploadFile(join(dir, 'local.bin'), join(dir, 'remote.bin'));
    expect((await machine().execute(`cmp ${join(dir, 'local.bin')} ${join(dir, 'remote.bin')} && echo same`)).stdout).toBe('same');
    await machine().downloadFile(join(dir, 'remote.bin'), join(dir, 'back.bin'));
    expect((await readFile(join(dir, 'back.bin'))).equals(content)).toBe(true);
  });

  test('a missing file fails with MachineTransferError naming the path and the machine', async () => {
    const dir = await tempDir('groundwork-contract-');
    const path = join(dir, 'nope');
    const error = await machine()
      .readFile(path)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MachineTransferError);
    expect(error).toMatchObject({ code: 'GW_MACHINE_TRANSFER', machine: machine().name, operation: 'readFile', path });
    expect((error as Error).message).toMatch(new RegExp(`^readFile ${path} on ${machine().name} failed: .`));
    expect(existsSync(path)).toBe(false);
  });

  test('an aborted signal cancels a transfer, and the machine stays usable', async () => {
    const error = await machine()
      .readFile('/etc/hostname', { signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ isCanceled: true, timedOut: false });
    expect((error as Error).message).toBe(`readFile /etc/hostname on ${machine().name} was canceled.`);
    expect((await machine().execute('echo ok')).stdout).toBe('ok');
  });

  return machine;
}

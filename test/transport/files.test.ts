// SshMachine file functions over SFTP, against a real sshd (which runs on this host, so the remote paths are local too).
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MachineTransferError } from '../../src/errors.js';
import type { SshMachine } from '../../src/transport/ssh-machine.js';
import { connectTo, runSshd, sshdAvailability } from '../helpers/sshd.js';
import { tempDir } from '../helpers/temp.js';

const sshd = sshdAvailability();

describe.skipIf(!sshd.available)(`file transfer over SSH ${sshd.reason}`, () => {
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

  test('writeFile then readFile, text and bytes', async () => {
    const dir = await tempDir('groundwork-sftp-');
    await machine.writeFile(join(dir, 'a.txt'), 'héllo\n');
    expect((await machine.readFile(join(dir, 'a.txt'))).toString('utf8')).toBe('héllo\n');
    expect(await readFile(join(dir, 'a.txt'), 'utf8')).toBe('héllo\n');
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    await machine.writeFile(join(dir, 'b.bin'), bytes.subarray(1, 5));
    expect([...(await machine.readFile(join(dir, 'b.bin')))]).toEqual([1, 2, 253, 254]);
    expect((await machine.execute(`wc -c < ${join(dir, 'b.bin')}`)).stdout.trim()).toBe('4');
  });

  test('uploadFile then downloadFile round trip a larger file', async () => {
    const dir = await tempDir('groundwork-sftp-');
    const content = Buffer.alloc(300_000, 'abcdefghij');
    await writeFile(join(dir, 'local.bin'), content);
    await machine.uploadFile(join(dir, 'local.bin'), join(dir, 'remote.bin'));
    expect((await machine.execute(`cmp ${join(dir, 'local.bin')} ${join(dir, 'remote.bin')} && echo same`)).stdout).toBe('same');
    await machine.downloadFile(join(dir, 'remote.bin'), join(dir, 'back.bin'));
    expect((await readFile(join(dir, 'back.bin'))).equals(content)).toBe(true);
  });

  test('a missing file fails with MachineTransferError naming the path and the machine', async () => {
    const error = await machine.readFile('/nonexistent/groundwork-file').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MachineTransferError);
    expect(error).toMatchObject({
      code: 'GW_MACHINE_TRANSFER',
      machine: 'web1',
      operation: 'readFile',
      path: '/nonexistent/groundwork-file',
    });
    expect((error as Error).message).toBe('readFile /nonexistent/groundwork-file on web1 failed: No such file');
  });

  test('an aborted signal cancels a transfer', async () => {
    const error = await machine.readFile('/etc/hostname', { signal: AbortSignal.abort() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ isCanceled: true, timedOut: false });
    expect((error as Error).message).toBe('readFile /etc/hostname on web1 was canceled.');
    // The connection is still usable.
    expect((await machine.execute('echo ok')).stdout).toBe('ok');
  });
});

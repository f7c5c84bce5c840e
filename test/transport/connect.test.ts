// connectSsh against a real sshd: host key pinning, retry until a deadline, and closing.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HostKeyMismatchError, MachineCommandError, MachineConnectError } from '../../src/errors.js';
import { generateKeyPair } from '../../src/keys/generate.js';
import type { Logger } from '../../src/logger.js';
import { connectSsh } from '../../src/transport/connect.js';
import { hostKeyFingerprint } from '../../src/transport/host-key.js';
import { resetAfter, type ForwardingProxy } from '../helpers/hostile-proxy.js';
import { freePort, prepareSshd, runSshd, sshdAvailability, startSshd } from '../helpers/sshd.js';

const sshd = sshdAvailability();

/** A logger that records lines and calls `onDebug` for each debug line. */
function recordingLogger(onDebug: (message: string) => void = () => {}): Logger & { lines: string[] } {
  const lines: string[] = [];
  const record = (message: string) => lines.push(message);
  return { lines, debug: (m) => (record(m), onDebug(m)), info: record, warn: record, error: record };
}

describe.skipIf(!sshd.available)(`connectSsh ${sshd.reason}`, () => {
  let server: Awaited<ReturnType<typeof runSshd>>;
  let proxy: ForwardingProxy;
  const login = () => ({ name: 'web1', host: server.host, username: server.username, privateKey: server.privateKey });

  beforeAll(async () => {
    server = await runSshd();
    proxy = await resetAfter({ host: server.host, port: server.port });
  });
  afterAll(async () => {
    await proxy?.close();
    await server?.stop();
  });

  test('the first connect reports the host key fingerprint; the right pin connects', async () => {
    {
      await using first = await connectSsh({ ...login(), port: server.port });
      expect(first.hostKey).toBe(server.hostKey);
    }
    await using pinned = await connectSsh({ ...login(), port: server.port, hostKey: server.hostKey });
    expect((await pinned.execute('echo pinned')).stdout).toBe('pinned');
  });

  test('a wrong pin fails with HostKeyMismatchError naming both fingerprints, without retrying', async () => {
    const wrong = hostKeyFingerprint(Buffer.from('some other key'));
    const before = proxy.connections;
    const logger = recordingLogger();
    const error = await connectSsh({ ...login(), port: proxy.port, hostKey: wrong, logger }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HostKeyMismatchError);
    expect(error).toMatchObject({ code: 'GW_HOST_KEY_MISMATCH', machine: 'web1', expected: wrong, received: server.hostKey });
    expect((error as Error).message).toContain(`expected ${wrong}, received ${server.hostKey}`);
    expect(proxy.connections - before).toBe(1);
    expect(logger.lines).toEqual([]);
  });

  test('a malformed pin or an unusable private key is rejected before connecting', async () => {
    const before = proxy.connections;
    await expect(connectSsh({ ...login(), port: proxy.port, hostKey: 'md5:aa:bb' })).rejects.toThrow(
      'Expected the pinned `hostKey` of web1',
    );
    const error = await connectSsh({ ...login(), port: proxy.port, privateKey: 'not a key SECRET' }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^The private key for web1 cannot be used: /);
    expect((error as Error).message).not.toContain('SECRET');
    expect(proxy.connections).toBe(before);
  });

  test('a key the server does not accept fails at once, naming the user and what to check', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'groundwork-key-'));
    try {
      const other = await readFile((await generateKeyPair(join(dir, 'other'))).privateKeyPath, 'utf8');
      const before = proxy.connections;
      const error = await connectSsh({ ...login(), port: proxy.port, privateKey: other }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MachineConnectError);
      expect((error as Error).message).toBe(
        `SSH to web1 (127.0.0.1:${proxy.port}) as ${server.username} was refused: the server did not accept the private key. ` +
          "Check that the key's public half is in the machine's authorized_keys.",
      );
      expect(proxy.connections - before).toBe(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('close() ends the connection, is idempotent, and later commands fail as closed', async () => {
    const machine = await connectSsh({ ...login(), port: proxy.port });
    await machine.close();
    await machine.close();
    await proxy.whenIdle();
    expect(machine.closed).toBe(true);
    const error = await machine.execute('true').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MachineCommandError);
    expect((error as Error).cause).toBeInstanceOf(MachineConnectError);
    expect((error as Error).message).toContain('was closed');
  });

  test('await using closes the connection when the function throws', async () => {
    const provisionLike = async () => {
      await using machine = await connectSsh({ ...login(), port: proxy.port });
      await machine.execute('true');
      throw new Error('provisioner failed');
    };
    await expect(provisionLike()).rejects.toThrow('provisioner failed');
    await proxy.whenIdle();
  });
});

describe.skipIf(!sshd.available)(`connectSsh retries ${sshd.reason}`, () => {
  let key = '';
  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'groundwork-key-'));
    try {
      key = await readFile((await generateKeyPair(join(dir, 'id'))).privateKeyPath, 'utf8');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('keeps retrying while nothing listens, and connects once sshd is up', async () => {
    const setup = await prepareSshd({ port: await freePort() });
    let started: ReturnType<typeof startSshd> | undefined;
    try {
      // Start sshd only after the first refused attempt was reported.
      const logger = recordingLogger((message) => {
        if (message.includes('failed') && !started) started = startSshd(setup);
      });
      await using machine = await connectSsh({
        name: 'late',
        host: setup.host,
        port: setup.port,
        username: setup.username,
        privateKey: setup.privateKey,
        logger,
      });
      expect(logger.lines[0]).toMatch(/SSH connect attempt 1 to late \(127\.0\.0\.1:\d+\) failed: connect ECONNREFUSED/);
      expect((await machine.execute('echo up')).stdout).toBe('up');
    } finally {
      await (await started)?.stop();
      await setup.remove();
    }
  });

  test('with nothing ever listening it fails after the deadline naming host:port', async () => {
    const port = await freePort();
    const error = await connectSsh({
      name: 'nobody',
      host: '127.0.0.1',
      port,
      username: 'root',
      privateKey: key,
      connectDeadlineMs: 700,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MachineConnectError);
    expect(error).toMatchObject({ code: 'GW_MACHINE_CONNECT', machine: 'nobody', host: '127.0.0.1', port });
    expect((error as Error).message).toMatch(
      new RegExp(
        `^Could not connect to nobody at 127\\.0\\.0\\.1:${port} over SSH: tried \\d+ times for [\\d.]+ s \\(connectDeadlineMs 700 ms\\); last error: connect ECONNREFUSED`,
      ),
    );
  });

  test('an abort stops the retries', async () => {
    const controller = new AbortController();
    const logger = recordingLogger(() => controller.abort());
    const port = await freePort();
    const error = await connectSsh({
      name: 'nobody',
      host: '127.0.0.1',
      port,
      username: 'root',
      privateKey: key,
      signal: controller.signal,
      logger,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MachineConnectError);
    expect((error as Error).message).toBe(`Connecting to nobody (127.0.0.1:${port}) over SSH was canceled.`);
  });
});

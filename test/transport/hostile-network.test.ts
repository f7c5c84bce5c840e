// A hostile network between the transport and a real sshd: black holes and resets fail within their
// timeouts with clear errors; the process never hangs and never gets an uncaught error.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { MachineCommandError, MachineConnectError, MachineTransferError } from '../../src/errors.js';
import { connectSsh } from '../../src/transport/connect.js';
import { blackHole, resetAfter, type ForwardingProxy, type Proxy } from '../helpers/hostile-proxy.js';
import { runSshd, sshdAvailability } from '../helpers/sshd.js';

const sshd = sshdAvailability();

describe.skipIf(!sshd.available)(`hostile network ${sshd.reason}`, () => {
  let server: Awaited<ReturnType<typeof runSshd>>;
  const uncaught: unknown[] = [];
  const record = (error: unknown) => uncaught.push(error);
  const login = (port: number) => ({ name: 'web1', host: '127.0.0.1', port, username: server.username, privateKey: server.privateKey });

  beforeAll(async () => {
    server = await runSshd();
  });
  afterAll(async () => {
    await server?.stop();
  });
  beforeEach(() => {
    uncaught.length = 0;
    process.on('uncaughtException', record);
    process.on('unhandledRejection', record);
  });
  afterEach(() => {
    process.off('uncaughtException', record);
    process.off('unhandledRejection', record);
    expect(uncaught).toEqual([]);
  });

  describe('black hole', () => {
    let hole: Proxy;
    beforeEach(async () => {
      hole = await blackHole();
    });
    afterEach(async () => {
      await hole.close();
    });

    test('connect fails by its own deadline with a clear error instead of hanging', async () => {
      const error = await connectSsh({ ...login(hole.port), readyTimeoutMs: 300, connectDeadlineMs: 1_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MachineConnectError);
      // How long it takes is measured by bench/connect-deadline.ts, not asserted here.
      expect((error as Error).message).toMatch(
        new RegExp(
          `^Could not connect to web1 at 127\\.0\\.0\\.1:${hole.port} over SSH: tried \\d+ times for [\\d.]+ s \\(connectDeadlineMs 1000 ms\\); ` +
            `last error: Timed out while waiting for handshake\\..*raise connectDeadlineMs`,
        ),
      );
      // Each attempt gave up by its own readyTimeoutMs, so there was time for another.
      expect(hole.connections).toBeGreaterThanOrEqual(2);
      await hole.whenIdle();
    });
  });

  describe('through a forwarding proxy', () => {
    let proxy: ForwardingProxy;
    beforeEach(async () => {
      proxy = await resetAfter({ host: server.host, port: server.port });
    });
    afterEach(async () => {
      await proxy.close();
    });

    test('a reset fails the command in flight and later ones; a new connect works again', async () => {
      const machine = await connectSsh(login(proxy.port));
      try {
        // The loop ends by itself (write error) once sshd drops the session, so nothing is left behind.
        const inFlight = machine.execute('echo started; while echo tick; do sleep 0.1; done', {
          onOutput: (chunk) => chunk.includes('started') && proxy.reset(),
        });
        const error = await inFlight.catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MachineCommandError);
        expect(error).toMatchObject({ exitCode: undefined, timedOut: false, isCanceled: false, failed: true });
        expect((error as Error).cause).toBeInstanceOf(MachineConnectError);
        expect((error as MachineCommandError).shortMessage).toMatch(
          /^Command failed on web1 without an exit code \(The SSH connection to web1 \(127\.0\.0\.1:\d+\) was lost: read ECONNRESET\./,
        );
        expect(machine.closed).toBe(true);
        await expect(machine.execute('true')).rejects.toThrow('was lost');
        await expect(machine.readFile('/etc/hostname')).rejects.toThrow(
          'readFile /etc/hostname on web1 failed: The SSH connection to web1',
        );
      } finally {
        await machine.close();
      }
      await using again = await connectSsh(login(proxy.port));
      expect((await again.execute('echo back')).stdout).toBe('back');
    });

    test('a connection that goes silent fails the command in flight by keepalive timeout', async () => {
      const machine = await connectSsh({ ...login(proxy.port), keepaliveIntervalMs: 100, keepaliveCountMax: 2 });
      try {
        const error = await machine
          .execute('echo started; while echo tick; do sleep 0.1; done', {
            onOutput: (chunk) => chunk.includes('started') && proxy.freeze(),
          })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(MachineCommandError);
        expect((error as Error).message).toContain('was lost: Keepalive timeout');
      } finally {
        await machine.close();
      }
      // The frozen proxy still holds the sshd side open; closing it lets sshd end the session.
      await proxy.close();
    });

    test('on a silent connection a command and a transfer each fail by their own timeout', async () => {
      await using machine = await connectSsh(login(proxy.port));
      proxy.freeze();
      const command = await machine.execute('echo never', { timeout: 300 }).catch((e: unknown) => e);
      expect(command).toBeInstanceOf(MachineCommandError);
      expect((command as MachineCommandError).shortMessage).toBe('Command timed out after 300 ms on web1: echo never');
      const transfer = await machine.readFile('/etc/hostname', { timeout: 300 }).catch((e: unknown) => e);
      expect(transfer).toBeInstanceOf(MachineTransferError);
      expect((transfer as Error).message).toBe('readFile /etc/hostname on web1 timed out after 300 ms.');
    });

    test('a reset during the handshake is retried until the deadline, then reported', async () => {
      await proxy.close();
      proxy = await resetAfter({ host: server.host, port: server.port }, { bytes: 1 });
      const error = await connectSsh({ ...login(proxy.port), connectDeadlineMs: 800 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MachineConnectError);
      expect((error as Error).message).toMatch(
        /tried \d+ times for [\d.]+ s \(connectDeadlineMs 800 ms\); last error: (read ECONNRESET|No response from server)/,
      );
    });
  });
});

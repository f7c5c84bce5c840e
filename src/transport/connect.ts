import type { Client } from 'ssh2';
import { ConfigError, describeError, HostKeyMismatchError, MachineConnectError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { hostKeyFingerprint, isFingerprint } from './host-key.js';
import { SshMachine } from './ssh-machine.js';

export interface SshConnectOptions {
  /** Machine name, used in messages. */
  name: string;
  host: string;
  /** Default 22. */
  port?: number;
  username: string;
  /** Private key text (from a KeyStore). Never logged. */
  privateKey: string;
  /** Pinned fingerprint `SHA256:…` from the machine's reference; absent on first connect. */
  hostKey?: string;
  /** Keep retrying refused, reset and timed-out connects with backoff until this many ms have passed. Default 30,000. */
  connectDeadlineMs?: number;
  /** One attempt's handshake timeout in ms. Default 5,000. */
  readyTimeoutMs?: number;
  /** Default 5,000 ms. */
  keepaliveIntervalMs?: number;
  /** Unanswered keepalives before the connection counts as lost. Default 3. */
  keepaliveCountMax?: number;
  signal?: AbortSignal;
  logger?: Logger;
}

const FIRST_DELAY_MS = 200;
const MAX_DELAY_MS = 2_000;
const MIN_ATTEMPT_MS = 100;

/**
 * Connect to a machine over SSH and return it as a `Machine`. While the
 * machine boots (refused, reset or timed-out connects) it retries with
 * backoff (200 ms doubling to 2 s) until `connectDeadlineMs`; then it fails
 * with MachineConnectError naming host:port, how long it tried and the last
 * cause. A host key other than `hostKey` fails at once with HostKeyMismatchError,
 * and so does a rejected key (retrying cannot fix it).
 */
export async function connectSsh(options: SshConnectOptions): Promise<SshMachine> {
  const port = options.port ?? 22;
  const deadlineMs = positive(options.connectDeadlineMs, 30_000, 'connectDeadlineMs');
  const readyTimeoutMs = positive(options.readyTimeoutMs, 5_000, 'readyTimeoutMs');
  if (!Number.isInteger(port) || port < 1 || port > 65_535)
    throw new ConfigError(`Expected \`port\` of ${options.name} to be a TCP port, got ${String(port)}.`);
  if (options.hostKey !== undefined && !isFingerprint(options.hostKey)) {
    throw new ConfigError(
      `Expected the pinned \`hostKey\` of ${options.name} to look like SHA256:<43 base64 characters>, got "${options.hostKey}".`,
    );
  }
  // ssh2 and node-ssh load with the first connection: status, help and runs without machines never pay for them.
  const { default: ssh2 } = await import('ssh2');
  const parsed = ssh2.utils.parseKey(options.privateKey);
  if (parsed instanceof Error) {
    // The parser's message never contains the key text.
    throw new ConfigError(
      `The private key for ${options.name} cannot be used: ${parsed.message}. Check the key named in the machine's configuration.`,
    );
  }
  const logger = options.logger ?? silentLogger;
  const where = `${options.host}:${port}`;
  const details = { machine: options.name, host: options.host, port };
  const started = Date.now();
  let delay = FIRST_DELAY_MS;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw canceled(options, where, options.signal.reason);
    const remaining = deadlineMs - (Date.now() - started);
    try {
      return await connectOnce(options, port, Math.max(1, Math.min(readyTimeoutMs, remaining)), logger);
    } catch (error) {
      if (error instanceof HostKeyMismatchError || error instanceof ConfigError) throw error;
      if (options.signal?.aborted) throw canceled(options, where, options.signal.reason);
      if (isAuthFailure(error)) {
        throw new MachineConnectError(
          `SSH to ${options.name} (${where}) as ${options.username} was refused: the server did not accept the private key. ` +
            `Check that the key's public half is in the machine's authorized_keys.`,
          { ...details, cause: error },
        );
      }
      const elapsed = Date.now() - started;
      // Another attempt only if it would still have MIN_ATTEMPT_MS after the pause.
      const wait = Math.min(delay, deadlineMs - elapsed - MIN_ATTEMPT_MS);
      if (wait < 0) {
        throw new MachineConnectError(
          `Could not connect to ${options.name} at ${where} over SSH: tried ${attempt} time${attempt === 1 ? '' : 's'} for ${(elapsed / 1000).toFixed(1)} s (connectDeadlineMs ${deadlineMs} ms); ` +
            `last error: ${describeError(error)}. Check that the machine is up and sshd listens on ${where}, or raise connectDeadlineMs.`,
          { ...details, cause: error },
        );
      }
      logger.debug(`SSH connect attempt ${attempt} to ${options.name} (${where}) failed: ${describeError(error)}; retrying in ${wait} ms`, {
        machine: options.name,
        attempt,
        error: describeError(error),
      });
      await pause(wait, options.signal);
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }
}

async function connectOnce(options: SshConnectOptions, port: number, readyTimeout: number, logger: Logger): Promise<SshMachine> {
  let seen: string | undefined;
  let mismatch: HostKeyMismatchError | undefined;
  const { NodeSSH } = await import('node-ssh');
  const ssh = new NodeSSH();
  const connecting = ssh.connect({
    host: options.host,
    port,
    username: options.username,
    privateKey: options.privateKey,
    readyTimeout,
    keepaliveInterval: options.keepaliveIntervalMs ?? 5_000,
    keepaliveCountMax: options.keepaliveCountMax ?? 3,
    hostVerifier: (key: Buffer) => {
      seen = hostKeyFingerprint(key);
      if (options.hostKey === undefined || options.hostKey === seen) return true;
      mismatch = new HostKeyMismatchError({ machine: options.name, host: options.host, port, expected: options.hostKey, received: seen });
      return false;
    },
  });
  // node-ssh sets `connection` before its first await; it drops its own error listener at 'ready', so ours is attached now, for good.
  const client = ssh.connection as Client;
  let lastError: Error | undefined;
  client.on('error', (error: Error) => (lastError = error));
  const onAbort = () => client.destroy();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await connecting;
  } catch (error) {
    client.destroy();
    if (mismatch) throw mismatch;
    throw lastError ?? error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  if (seen === undefined) {
    client.destroy();
    throw new MachineConnectError(
      `The SSH server of ${options.name} (${options.host}:${port}) completed the handshake without a host key; check that it is an OpenSSH server.`,
      {
        machine: options.name,
        host: options.host,
        port,
      },
    );
  }
  return new SshMachine({ name: options.name, host: options.host, port, hostKey: seen, client, ...(options.logger ? { logger } : {}) });
}

function isAuthFailure(error: unknown): boolean {
  return error instanceof Error && (error as { level?: string }).level === 'client-authentication';
}

function canceled(options: SshConnectOptions, where: string, reason: unknown): MachineConnectError {
  return new MachineConnectError(`Connecting to ${options.name} (${where}) over SSH was canceled.`, {
    machine: options.name,
    host: options.host,
    port: options.port ?? 22,
    cause: reason,
  });
}

function positive(value: number | undefined, fallback: number, field: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0)
    throw new ConfigError(`Expected \`${field}\` to be a positive number of milliseconds, got ${String(value)}.`);
  return value;
}

/** setTimeout that an abort ends early (the caller checks the signal afterwards). */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

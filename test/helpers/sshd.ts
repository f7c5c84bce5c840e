import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, inject } from 'vitest';
import { generateKeyPair } from '../../src/keys/generate.js';
import { freePort } from '../../src/os/net.js';
import { connectSsh, type SshConnectOptions } from '../../src/transport/connect.js';
import type { SshMachine } from '../../src/transport/ssh-machine.js';
import { ensurePrivsepDir, SSHD_PATH, writeSshdConfig } from '../../src/transport/sshd-config.js';

/** What test/global-setup.ts found: tests that need sshd skip (outside CI) with `reason` when it is missing. */
export function sshdAvailability(): { available: boolean; reason: string } {
  return inject('sshd');
}

// A free TCP port on 127.0.0.1 (nothing listens on it when this returns): the library's own helper.
export { freePort } from '../../src/os/net.js';

/** Keys and config for a private sshd, in a temp folder removed by `remove()`. */
export interface SshdSetup {
  dir: string;
  host: '127.0.0.1';
  port: number;
  username: string;
  privateKey: string;
  privateKeyPath: string;
  /** The host key's fingerprint as `ssh-keygen -lf` prints it (independent of the code under test). */
  hostKey: string;
  configPath: string;
  remove(): Promise<void>;
}

export interface SshdOptions {
  /** Default: a free port. */
  port?: number;
  /** Extra sshd_config lines. */
  extra?: readonly string[];
}

export async function prepareSshd(options: SshdOptions = {}): Promise<SshdSetup> {
  const dir = await mkdtemp(join(tmpdir(), 'groundwork-sshd-'));
  try {
    const user = await generateKeyPair(join(dir, 'id_ed25519'));
    const chosen = options.port ?? (await freePort());
    // INFO makes sshd print "Server listening on …", which start() waits for.
    const config = await writeSshdConfig({
      dir,
      listen: [{ host: '127.0.0.1', port: chosen }],
      authorizedKeys: user.publicKey,
      logLevel: 'INFO',
      extra: options.extra ?? [],
    });
    const { stdout } = await execa('ssh-keygen', ['-l', '-f', `${config.hostKeyPath}.pub`]);
    const hostKey = stdout.split(' ')[1] ?? '';
    return {
      dir,
      host: '127.0.0.1',
      port: chosen,
      username: userInfo().username,
      privateKey: await readFile(user.privateKeyPath, 'utf8'),
      privateKeyPath: user.privateKeyPath,
      hostKey,
      configPath: config.configPath,
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

export interface RunningSshd {
  pid: number;
  stderr(): string;
  /** SIGTERM the daemon (and its session processes, which share its process group) and wait for it to exit. */
  stop(): Promise<void>;
}

/** Start `sshd -D -e` with the setup's config; resolves once it prints that it listens. */
export async function startSshd(setup: SshdSetup): Promise<RunningSshd> {
  await ensurePrivsepDir();
  const child = spawn(SSHD_PATH, ['-D', '-e', '-f', setup.configPath], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (stderr.includes('Server listening on')) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => reject(new Error(`sshd exited (${code ?? signal}) before listening:\n${stderr}`)));
  });
  const pid = child.pid!;
  let stopping: Promise<void> | undefined;
  return {
    pid,
    stderr: () => stderr,
    stop() {
      stopping ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          try {
            process.kill(-pid, 'SIGTERM');
          } catch {
            // already gone
          }
          await exited;
        }
      })();
      return stopping;
    },
  };
}

/** prepareSshd + startSshd; `stop()` stops the daemon and removes its folder. */
export async function runSshd(options: SshdOptions = {}): Promise<SshdSetup & RunningSshd> {
  const setup = await prepareSshd(options);
  try {
    const running = await startSshd(setup);
    return {
      ...setup,
      ...running,
      stop: async () => {
        await running.stop();
        await setup.remove();
      },
    };
  } catch (error) {
    await setup.remove();
    throw error;
  }
}

/** An SSH connection to a test sshd as machine "web1" (override any connect option). */
export function connectTo(server: SshdSetup & RunningSshd, options: Partial<SshConnectOptions> = {}): Promise<SshMachine> {
  return connectSsh({
    name: 'web1',
    host: server.host,
    port: server.port,
    username: server.username,
    privateKey: server.privateKey,
    ...options,
  });
}

export interface SshdFixture {
  /** The running daemon (set once the block's beforeAll has run). */
  readonly server: SshdSetup & RunningSshd;
  /** A connection to it as "web1" (only with `connect: true`). */
  readonly machine: SshMachine;
}

/**
 * Call inside a describe block: one private sshd for the block, started in
 * beforeAll and stopped (folder removed) in afterAll, with a connection to it
 * when `connect` is set. `options` may be a function, run in beforeAll, for
 * settings that need files made first.
 */
export function useSshd(options: SshdOptions | (() => Promise<SshdOptions>) = {}, { connect = false } = {}): SshdFixture {
  let server: (SshdSetup & RunningSshd) | undefined;
  let machine: SshMachine | undefined;
  beforeAll(async () => {
    server = await runSshd(typeof options === 'function' ? await options() : options);
    if (connect) machine = await connectTo(server);
  });
  afterAll(async () => {
    await machine?.close();
    await server?.stop();
  });
  return {
    get server() {
      if (!server) throw new Error('useSshd: the sshd is not started yet (use it in a test or hook of the same describe block)');
      return server;
    },
    get machine() {
      if (!machine) throw new Error('useSshd: no connection (pass { connect: true }, and use it in a test or hook of the same describe block)');
      return machine;
    },
  };
}

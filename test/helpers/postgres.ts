// A throwaway PostgreSQL 15 cluster for tests and benches: initdb in a temp
// folder owned by `postgres` (PostgreSQL refuses to run as root), listening on
// 127.0.0.1 and a free port, fsync off, removed by stop() — and by a process
// exit handler if a test dies before its afterAll.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import pg from 'pg';
import { freePort } from '../../src/os/net.js';

export const PG_BIN = '/usr/lib/postgresql/15/bin';
const ENSURE = fileURLToPath(new URL('../../scripts/ensure-postgres.sh', import.meta.url));

/** The role the tests connect as: a password and scram-sha-256 auth on 127.0.0.1, so tests can check it never leaks. */
export const PG_USER = 'groundwork';

let availability: Promise<{ available: boolean; reason: string }> | undefined;

/**
 * Whether the PostgreSQL binaries are there (installing them with
 * scripts/ensure-postgres.sh when root). In CI (CI=true) a failure throws:
 * a missing PostgreSQL is a failure there, never a skip. Use with top-level await:
 * `const pgReady = await postgresAvailability(); describe.skipIf(!pgReady.available)(…)`.
 */
export function postgresAvailability(): Promise<{ available: boolean; reason: string }> {
  availability ??= (async () => {
    const result = await execa('sh', [ENSURE], { reject: false, all: true });
    if (result.exitCode === 0) return { available: true, reason: '' };
    const reason =
      `PostgreSQL is not available (scripts/ensure-postgres.sh exited ${result.exitCode}): ` +
      result.all.trim().split('\n').slice(-3).join(' ');
    if (process.env.CI === 'true') throw new Error(reason);
    return { available: false, reason };
  })();
  return availability;
}

export interface StartedPostgres {
  /** postgres://groundwork:<password>@127.0.0.1:<port>/groundwork */
  readonly url: string;
  /** The password in `url` (the secrets tests grep for it). */
  readonly password: string;
  readonly port: number;
  /** The cluster's data directory (PGDATA). */
  readonly dataDir: string;
  /** The postmaster's pid (changes with restart). */
  readonly pid: number;
  /** The server log file. */
  readonly logFile: string;
  /** A URL of the same cluster for another database (created by createDatabase). */
  urlFor(database: string): string;
  /** Create a fresh database owned by the test role; returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** `pg_ctl restart -m immediate` (a crash-like stop: no checkpoint; WAL replay at start). Waits until it accepts connections. */
  restart(options?: { mode?: 'immediate' | 'fast' }): Promise<void>;
  /** `pg_ctl stop -m immediate` without removing anything: the database becomes unreachable until start(). */
  kill(): Promise<void>;
  /** Start again after kill() (same port and data). */
  start(): Promise<void>;
  /** `pg_ctl stop -m fast`, then remove the folder. Idempotent. */
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  /** Part of the temp folder's name, to tell clusters apart in `ps` and /tmp. */
  name?: string;
  /** fsync on, as a real server (benches: commits as durable as the file journal's fdatasync). Default off. */
  fsync?: boolean;
}

function postgresIds(): { uid: number; gid: number } {
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** Run a PostgreSQL binary as the `postgres` user (when we are root). */
function asPostgres(bin: string, args: readonly string[]) {
  const file = join(PG_BIN, bin);
  return process.getuid?.() === 0 ? execa('runuser', ['-u', 'postgres', '--', file, ...args]) : execa(file, [...args]);
}

export async function startPostgres(options: StartPostgresOptions = {}): Promise<StartedPostgres> {
  const ready = await postgresAvailability();
  if (!ready.available) throw new Error(ready.reason);
  const root = mkdtempSync(join(tmpdir(), `groundwork-pg-${options.name ?? 'test'}-`));
  const dataDir = join(root, 'data');
  const socketDir = root;
  const logFile = join(root, 'postgres.log');
  const password = randomBytes(12).toString('hex');
  const port = await freePort();
  let stopped = false;
  let currentPid = 0;

  // Last resort when the process exits without stop(): SIGQUIT = immediate shutdown, then remove the folder.
  const onExit = () => {
    if (currentPid) {
      try {
        process.kill(currentPid, 'SIGQUIT');
      } catch {
        // already gone
      }
    }
    rmSync(root, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  const readPid = () => Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const pgCtl = (args: readonly string[]) => asPostgres('pg_ctl', ['-D', dataDir, '-l', logFile, ...args]);
  // pg_ctl -w waits until the server reports itself ready (postmaster.pid "ready" + a connection), no sleep.
  const start = async () => {
    await pgCtl(['start', '-w', '-t', '60']);
    currentPid = readPid();
  };

  try {
    if (process.getuid?.() === 0) {
      const { uid, gid } = postgresIds();
      chownSync(root, uid, gid);
    }
    chmodSync(root, 0o700);
    await asPostgres('initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--no-sync',
      '--auth-local=trust',
      '--auth-host=scram-sha-256',
      '--encoding=UTF8',
      '--locale=C',
    ]);
    // Only 127.0.0.1 over TCP (password), the superuser only through the socket in the temp folder.
    writeFileSync(join(dataDir, 'pg_hba.conf'), ['local all all trust', 'host all all 127.0.0.1/32 scram-sha-256', ''].join('\n'));
    const conf = [
      `listen_addresses = '127.0.0.1'`,
      `port = ${port}`,
      `unix_socket_directories = '${socketDir}'`,
      `fsync = ${options.fsync ? 'on' : 'off'}`,
      `full_page_writes = ${options.fsync ? 'on' : 'off'}`,
      'max_connections = 200',
      `password_encryption = 'scram-sha-256'`,
      '',
    ];
    writeFileSync(join(dataDir, 'postgresql.conf'), conf.join('\n'), { flag: 'a' });
    await start();
    await admin(socketDir, port, async (client) => {
      await client.query(`create role ${PG_USER} login createdb password '${password}'`);
      await client.query(`create database ${PG_USER} owner ${PG_USER}`);
    });
  } catch (error) {
    onExit();
    process.removeListener('exit', onExit);
    throw error;
  }

  const urlFor = (database: string) => `postgres://${PG_USER}:${password}@127.0.0.1:${port}/${database}`;
  return {
    url: urlFor(PG_USER),
    password,
    port,
    dataDir,
    logFile,
    get pid() {
      return currentPid;
    },
    urlFor,
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`createDatabase: use a plain lower-case name, got ${JSON.stringify(name)}`);
      await admin(socketDir, port, (client) => client.query(`create database ${name} owner ${PG_USER}`));
      return urlFor(name);
    },
    async restart({ mode = 'immediate' } = {}) {
      await pgCtl(['restart', '-m', mode, '-w', '-t', '60']);
      currentPid = readPid();
    },
    async kill() {
      await pgCtl(['stop', '-m', 'immediate', '-w']);
      currentPid = 0;
    },
    start,
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        if (currentPid) await pgCtl(['stop', '-m', 'fast', '-w', '-t', '60']);
        currentPid = 0;
      } finally {
        rmSync(root, { recursive: true, force: true });
        process.removeListener('exit', onExit);
      }
    },
  };
}

async function admin<T>(socketDir: string, port: number, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ host: socketDir, port, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

/** For a process exit handler that must be synchronous: whether pg_ctl reports the data dir's server running. */
export function isPostgresRunning(dataDir: string): boolean {
  const file = join(PG_BIN, 'pg_ctl');
  const args = ['status', '-D', dataDir];
  const r = process.getuid?.() === 0 ? spawnSync('runuser', ['-u', 'postgres', '--', file, ...args]) : spawnSync(file, args);
  return r.status === 0;
}

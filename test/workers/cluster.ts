// The set-up every worker test file shares: one PostgreSQL cluster for the file and, for each
// test, a fresh database, a folder of its own and the env that points the fixture config at
// them; every CLI child a test starts is tracked and ended by pid when the test ends.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect } from 'vitest';
import { postgresAvailability, startPostgres, type StartedPostgres } from '../helpers/postgres.js';
import { waitForFile } from '../helpers/wait.js';
import { cli, startWorker, type Child } from './children.js';

/** The line a worker logs once it has registered and serves. */
export const STARTED = /worker \S+ started/;

/**
 * describe() for a file that needs PostgreSQL: outside CI skipped with the reason in its title
 * when scripts/ensure-postgres.sh fails; in CI postgresAvailability() throws instead.
 */
export async function describeWithPostgres(title: string, body: () => void): Promise<void> {
  const ready = await postgresAvailability();
  describe.skipIf(!ready.available)(`${title} (${ready.reason || 'PostgreSQL 15'})`, body);
}

export interface Children {
  /** `tasks.ts <args> --config <fixture>`; ended by pid when the test ends if still running. */
  cli(args: readonly string[], env: Record<string, string>): Child;
  /** `tasks.ts worker --concurrency 4 <args>`, tracked as cli() is; not waited for. */
  worker(env: Record<string, string>, args?: readonly string[]): Child;
  /** `count` workers, each once its stderr matched `ready` (default STARTED). */
  workers(count: number, env: Record<string, string>, options?: { args?: readonly string[]; ready?: RegExp }): Promise<Child[]>;
  /** SIGTERM to each, then each must exit 0 (a clean stop is part of what the tests check). */
  stop(children: readonly Child[]): Promise<void>;
}

const running = (c: Child) => c.proc.exitCode === null && c.proc.signalCode === null;

/** End by pid: SIGCONT first (a test may have SIGSTOPped it), then SIGKILL; wait until reaped. */
async function reap(children: Set<Child>): Promise<void> {
  const left = [...children];
  children.clear();
  for (const c of left.filter(running)) {
    // Not reaped yet (exitCode is set when Node reaps), so the pid is still this child's.
    for (const signal of ['SIGCONT', 'SIGKILL'] as const) {
      try {
        process.kill(c.pid, signal);
      } catch {
        // exited meanwhile
      }
    }
  }
  await Promise.allSettled(left.map((c) => c.proc));
}

/** CLI children tracked per test: whatever still runs is ended after each test and after the file. */
export function useChildren(): Children & { close(): Promise<void> } {
  const children = new Set<Child>();
  let closed = false;
  const track = (c: Child) => {
    // A test body that outlived its timeout must not start children after the file's teardown.
    if (closed) {
      c.proc.kill('SIGKILL');
      throw new Error(`pid ${c.pid} started after the file's afterAll; it was killed`);
    }
    children.add(c);
    return c;
  };
  afterEach(() => reap(children));
  const self: Children & { close(): Promise<void> } = {
    cli: (args, env) => track(cli(args, env)),
    worker: (env, args = []) => track(startWorker(env, args)),
    async workers(count, env, { args = [], ready = STARTED } = {}) {
      const list = Array.from({ length: count }, () => self.worker(env, args));
      await Promise.all(list.map((w) => w.waitFor(ready)));
      return list;
    },
    async stop(list) {
      for (const c of list) c.proc.kill('SIGTERM');
      for (const c of list) {
        const r = await c.proc;
        expect(r.exitCode, `pid ${c.pid} after SIGTERM: ${r.stderr}`).toBe(0);
      }
    },
    close() {
      closed = true;
      return reap(children);
    },
  };
  return self;
}

export interface WorkerCluster extends Children {
  /** The file's cluster: kill()/start()/restart(), and the password the tests grep output for. */
  readonly db: StartedPostgres;
  /** This test's own database. */
  readonly url: string;
  /** This test's own folder (gate files go here). */
  readonly dir: string;
  /** This test's steps log (GW_TEST_LOG). */
  readonly log: string;
  /** GROUNDWORK_DATABASE_URL, GW_TEST_LOG and GW_TEST_STATE_FILE for this test, with `vars` laid over them. */
  env(vars?: Record<string, string>): Record<string, string>;
  /** The log's text once it contains `seen` (or the predicate holds); woken by fs.watch, rejects after `timeoutMs`. */
  logged(seen: string | RegExp | ((text: string) => boolean), timeoutMs?: number): Promise<string>;
}

/** Registers the file's beforeAll/afterAll and a beforeEach; call it inside the file's describe. */
export function useWorkerCluster(name: string): WorkerCluster {
  let db: StartedPostgres | undefined;
  let root: string | undefined;
  let current: { url: string; dir: string } | undefined;
  let n = 0;
  const children = useChildren();

  beforeAll(async () => {
    db = await startPostgres({ name });
    root = await mkdtemp(join(tmpdir(), `gw-${name}-`));
  });
  beforeEach(async () => {
    n++;
    const dir = join(root!, `t${n}`);
    await mkdir(dir);
    current = { url: await db!.createDatabase(`t${n}`), dir };
  });
  afterAll(async () => {
    // Children first: they hold connections to the cluster and files in the folder.
    await children.close();
    await db?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const now = () => {
    if (!current) throw new Error(`useWorkerCluster(${JSON.stringify(name)}): use its accessors inside a test, not at collection`);
    return current;
  };
  return {
    cli: children.cli,
    worker: children.worker,
    workers: children.workers,
    stop: children.stop,
    get db() {
      if (!db) throw new Error(`useWorkerCluster(${JSON.stringify(name)}): the cluster is not started yet (use it inside a test)`);
      return db;
    },
    get url() {
      return now().url;
    },
    get dir() {
      return now().dir;
    },
    get log() {
      return join(now().dir, 'steps.log');
    },
    env(vars = {}) {
      const { url, dir } = now();
      return { GROUNDWORK_DATABASE_URL: url, GW_TEST_LOG: join(dir, 'steps.log'), GW_TEST_STATE_FILE: join(dir, 'state.json'), ...vars };
    },
    logged(seen, timeoutMs = 90_000) {
      const holds =
        typeof seen === 'string' ? (t: string) => t.includes(seen) : seen instanceof RegExp ? (t: string) => seen.test(t) : seen;
      return waitForFile(join(now().dir, 'steps.log'), holds, timeoutMs);
    },
  };
}

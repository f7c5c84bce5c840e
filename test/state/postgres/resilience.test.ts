// PostgresStore when PostgreSQL goes away: restarted (-m immediate) or down
// mid-run, unreachable at start, a wrong password, and the state lock held
// by another process (released by PostgreSQL when that process is killed).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Scheduler, type Logger } from '../../../src/index.js';
import { freePort } from '../../../src/os/net.js';
import { PostgresStore } from '../../../src/state/postgres/postgres-store.js';
import { postgresAvailability, startPostgres, type StartedPostgres } from '../../helpers/postgres.js';
import { readPgState } from '../../helpers/pg-state.js';
import { callIds, entered, hold, resetFixtures, steps } from '../../helpers/scheduler.js';
import { tempDir } from '../../helpers/temp.js';
import { deferred } from '../../helpers/wait.js';

const pgReady = await postgresAvailability();
if (!pgReady.available) console.warn(`skipping test/state/postgres/resilience.test.ts: ${pgReady.reason}`);

const FIXTURE = fileURLToPath(new URL('./fixtures/hold-state.ts', import.meta.url));

let cluster: StartedPostgres;
let n = 0;
const freshDb = () => cluster.createDatabase(`res_${++n}`);

/** A logger that keeps its lines and resolves `seen(text)` once a line containing it is logged. */
function recordingLogger() {
  const lines: string[] = [];
  const waiting: { text: string; done: () => void }[] = [];
  const add = (line: string) => {
    lines.push(line);
    for (const w of waiting.filter((w) => line.includes(w.text))) w.done();
  };
  const logger: Logger = { debug: add, info: add, warn: add, error: add };
  const seen = (text: string) => {
    if (lines.some((l) => l.includes(text))) return Promise.resolve();
    const d = deferred();
    waiting.push({ text, done: () => d.resolve() });
    return d.promise;
  };
  return { logger, lines, seen };
}

async function rejection(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  return promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e as Error & { code?: string },
  );
}

describe.skipIf(!pgReady.available)('PostgresStore when the database goes away', () => {
  beforeAll(async () => {
    cluster = await startPostgres({ name: 'resilience' });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  beforeEach(() => resetFixtures());

  it('pg_ctl restart -m immediate while a step runs: the next writes reconnect, retake the lock and the run finishes', async () => {
    const url = await freshDb();
    const { logger, lines, seen } = recordingLogger();
    const dataDir = await tempDir('groundwork-pg-data-');
    const s = await Scheduler.open({ store: new PostgresStore({ url, state: 'restart', dataDir, connection: { logger } }) });
    await s.scheduleAll([
      { name: 'db', provisioners: () => steps('db', 3) },
      { name: 'app', dependsOn: ['db'], provisioners: () => steps('app', 2) },
    ]);
    const gate = hold('startup', 'db2');
    const run = s.run();
    await entered('startup', 'db2');
    const pidBefore = cluster.pid;
    await cluster.restart({ mode: 'immediate' });
    expect(cluster.pid).not.toBe(pidBefore);
    gate.resolve();
    const summary = await run;
    expect(summary.ok).toBe(true);
    await seen('Reconnected to the state database');
    await s.close();
    expect(callIds('startup')).toEqual(['db1', 'db2', 'db3', 'app1', 'app2']); // nothing ran twice
    const raw = await readPgState(url, 'restart');
    expect(raw.groups.map((g) => [g.name, g.record.state, g.steps.map((st) => st.record.state).join(',')])).toEqual([
      ['db', 'provisioned', 'done,done,done'],
      ['app', 'provisioned', 'done,done'],
    ]);
    expect(lines.join('\n')).not.toContain(cluster.password);
    expect(lines.some((l) => l.includes('Lost the connection to the state database postgres://groundwork:***@'))).toBe(true);
  });

  it('PostgreSQL down while a step finishes: its write waits (with backoff) until the server is back, then the run goes on', async () => {
    const url = await freshDb();
    const { logger, seen } = recordingLogger();
    const s = await Scheduler.open({ store: new PostgresStore({ url, state: 'down', connection: { logger } }) });
    await s.scheduleAll([{ name: 'db', provisioners: () => steps('db', 2) }]);
    const gate = hold('startup', 'db1');
    const run = s.run();
    await entered('startup', 'db1');
    await cluster.kill();
    gate.resolve();
    await seen('Lost the connection'); // the done write of db1 failed and is being retried
    await cluster.start();
    expect((await run).ok).toBe(true);
    await s.close();
    expect(callIds('startup')).toEqual(['db1', 'db2']);
    const raw = await readPgState(url, 'down');
    expect(raw.groups[0]!.steps.map((st) => st.record.state)).toEqual(['done', 'done']);
  });

  it('gives up after the reconnect bound with a coded error naming the URL without its password', async () => {
    const url = await freshDb();
    const store = new PostgresStore({ url, state: 'bound', connection: { reconnectTimeoutMs: 300 } });
    await store.open();
    await cluster.kill();
    try {
      const error = await rejection(store.deleteGroup('nothing'));
      expect(error.code).toBe('GW_DATABASE_UNREACHABLE');
      expect(error.message).toContain(`Cannot reach the state database postgres://groundwork:***@127.0.0.1:${cluster.port}/res_${n}`);
      expect(error.message).not.toContain(cluster.password);
    } finally {
      await store.close();
      await cluster.start();
    }
  });

  it('unreachable at start: nothing listens on the port', async () => {
    const port = await freePort();
    const url = `postgres://groundwork:${cluster.password}@127.0.0.1:${port}/groundwork`;
    const store = new PostgresStore({ url, state: 'x', connection: { connectTimeoutMs: 300 } });
    const error = await rejection(store.open());
    expect(error.code).toBe('GW_DATABASE_UNREACHABLE');
    expect(error.message).toContain(`Cannot reach the state database postgres://groundwork:***@127.0.0.1:${port}/groundwork: `);
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.message).toContain('--database, GROUNDWORK_DATABASE_URL');
    expect(error.message).not.toContain(cluster.password);
    await store.close();
  });

  it('a wrong password fails at once (no retrying) and the message does not quote it', async () => {
    const url = cluster.url.replace(cluster.password, 'not-the-password-42');
    const store = new PostgresStore({ url, state: 'x', connection: { connectTimeoutMs: 60_000 } });
    const error = await rejection(store.open());
    expect(error.code).toBe('GW_DATABASE_UNREACHABLE');
    expect(error.message).toContain('password authentication failed for user "groundwork" (28P01)');
    expect(error.message).not.toContain('not-the-password-42');
  });

  it('the state locked by another process is refused, naming it; killed -9, its lock is gone with its connection', async () => {
    const url = await freshDb();
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, url, 'shared'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    try {
      const [chunk] = (await once(child.stdout!, 'data')) as [Buffer];
      expect(chunk.toString()).toBe('open\n');
      const second = new PostgresStore({ url, state: 'shared' });
      const error = await rejection(second.open());
      expect(error.code).toBe('GW_DATABASE_LOCKED');
      expect(error.message).toContain('State "shared" in postgres://groundwork:***@127.0.0.1:');
      expect(error.message).toContain('"hold-state fixture" from 127.0.0.1');
      child.kill('SIGKILL');
      await exited;
      // The server notices the closed socket and ends the backend, and with it the lock.
      const after = new PostgresStore({ url, state: 'shared', connection: { connectTimeoutMs: 10_000 } });
      await waitUntilOpens(after);
      await after.close();
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    }
  });
});

/**
 * The backend of a killed client ends when the server reads EOF on its socket, which may be a moment after the
 * kill: retry open() on DatabaseLockedError only (bounded), waiting for pg_stat_activity to drop it in between.
 */
async function waitUntilOpens(store: PostgresStore): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await store.open();
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'GW_DATABASE_LOCKED' || attempt >= 50) throw error;
      await backendGone();
    }
  }
}

async function backendGone(): Promise<void> {
  const { default: pg } = await import('pg');
  const client = new pg.Client(cluster.url);
  await client.connect();
  try {
    // pg_sleep inside the server is a wait for the backend to exit, bounded by the statement.
    await client.query(
      `do $$ begin for i in 1..100 loop exit when not exists (select 1 from pg_stat_activity where application_name = 'hold-state fixture'); perform pg_sleep(0.02); end loop; end $$`,
    );
  } finally {
    await client.end();
  }
}

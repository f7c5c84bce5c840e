// Three workers and a submitter (issue 12): workers are kill -9'd at random moments and
// restarted; afterwards the steps' own log and the database say nothing was lost, nothing
// finished was re-run, and teardown shuts every step down once, in reverse order.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailability, startPostgres, type StartedPostgres } from '../helpers/postgres.js';
import { waitForFile } from '../helpers/wait.js';
import { cli, startWorker, type Child } from './children.js';
import { checkProvisionLog, checkTeardownLog, fixtureDag, parseLog, readRows } from './invariants.js';

const pgReady = await postgresAvailability();

/** Pids whose last logged start has no `done` after it: they run a step now (or were killed in one). */
function inFlightPids(text: string): Set<number> {
  const open = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^(start|done) (\S+) pid=(\d+)/.exec(line);
    if (!m) continue;
    const key = `${m[2]} ${m[3]}`;
    if (m[1] === 'start') open.set(key, Number(m[3]));
    else open.delete(key);
  }
  return new Set(open.values());
}
const GROUPS = 15;
const KILLS = Number(process.env['GW_TEST_KILLS'] ?? 30);

describe.skipIf(!pgReady.available)(`workers killed -9 at random (${pgReady.reason || 'PostgreSQL 15'})`, () => {
  let db: StartedPostgres;
  let dir: string;
  const alive = new Set<Child>();

  beforeAll(async () => {
    db = await startPostgres({ name: 'kill-loop' });
    dir = await mkdtemp(join(tmpdir(), 'gw-kill-loop-'));
  });
  afterAll(async () => {
    for (const c of alive) c.proc.kill('SIGKILL');
    await Promise.allSettled([...alive].map((c) => c.proc));
    await db?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`loses nothing over ${KILLS} kills, and teardown runs each shutdown once`, async () => {
    const log = join(dir, 'steps.log');
    const gate = join(dir, `g${GROUPS - 1}-0.gate`);
    const env = {
      GROUNDWORK_DATABASE_URL: db.url,
      GW_TEST_LOG: log,
      GW_TEST_STATE_FILE: join(dir, 'state.json'),
      GW_TEST_GROUPS: String(GROUPS),
      GW_TEST_STEP_MS: '600',
      GW_TEST_GATE: gate,
    };
    const spawn = async () => {
      const w = startWorker(env);
      alive.add(w);
      await w.waitFor(/worker \S+ started/);
      return w;
    };
    const workers = await Promise.all([spawn(), spawn(), spawn()]);
    const submitter = cli(['provision', '--no-work'], env);
    alive.add(submitter);
    const finished = submitter.proc.then((r) => r);

    // The last group's first step waits on its gate until the kills are done, so the run cannot
    // end first however fast or slow the machine is; each kill then causes a takeover (a new start).
    const killed = new Set<number>();
    let seen = 0;
    while (killed.size < KILLS) {
      // After each new step start (driven by the log, not a clock), kill a random worker that runs a step:
      // where in its step it dies depends on how long the last respawn took.
      const next = seen + 1;
      const text = await waitForFile(log, (t) => t.split('\n').filter((l) => l.startsWith('start ')).length >= next, 120_000);
      seen = next;
      const inFlight = inFlightPids(text);
      const candidates = workers.filter((w) => inFlight.has(w.pid));
      if (candidates.length === 0) continue;
      const victim = candidates[Math.floor(Math.random() * candidates.length)]!;
      victim.proc.kill('SIGKILL');
      await victim.proc;
      alive.delete(victim);
      killed.add(victim.pid);
      workers[workers.indexOf(victim)] = await spawn();
    }
    await writeFile(gate, '');
    const result = await finished;
    alive.delete(submitter);
    expect(result.stderr).not.toContain(db.password);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(killed.size).toBe(KILLS);

    const dag = fixtureDag(GROUPS);
    const entries = parseLog(await readFile(log, 'utf8'));
    expect(checkProvisionLog(entries, dag, killed)).toEqual([]);
    const rows = await readRows(db.url);
    expect([...rows.groups.values()].every((s) => s === 'provisioned')).toBe(true);
    expect(rows.steps.every((s) => s.state === 'done' && s.worker !== null)).toBe(true);

    const before = entries.length;
    const down = await cli(['teardown'], env).proc;
    expect(down.exitCode, down.stderr).toBe(0);
    const after = parseLog(await readFile(log, 'utf8')).slice(before);
    expect(checkTeardownLog(after, dag)).toEqual([]);
    expect((await readRows(db.url)).groups.size).toBe(0);

    for (const w of workers) w.proc.kill('SIGTERM');
    for (const w of workers) {
      const r = await w.proc;
      alive.delete(w);
      expect(r.exitCode, r.stderr).toBe(0);
    }
  }, 600_000);
});

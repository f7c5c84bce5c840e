// Three workers and a submitter (issue 12): workers are kill -9'd at random moments and
// restarted; afterwards the steps' own log and the database say nothing was lost, nothing
// finished was re-run, and teardown shuts every step down once, in reverse order.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { describeWithPostgres, useWorkerCluster } from './cluster.js';
import { checkProvisionLog, checkTeardownLog, countStarts, fixtureDag, parseLog, readRows } from './invariants.js';

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

await describeWithPostgres('workers killed -9 at random', () => {
  const c = useWorkerCluster('kill-loop');

  it(`loses nothing over ${KILLS} kills, and teardown runs each shutdown once`, async () => {
    const gate = join(c.dir, `g${GROUPS - 1}-0.gate`);
    const env = c.env({ GW_TEST_GROUPS: String(GROUPS), GW_TEST_STEP_MS: '600', GW_TEST_GATE: gate });
    const workers = await c.workers(3, env);
    const submitter = c.cli(['provision', '--no-work'], env);
    const finished = submitter.proc.then((r) => r);

    // The last group's first step waits on its gate until the kills are done, so the run cannot
    // end first however fast or slow the machine is; each kill then causes a takeover (a new start).
    const killed = new Set<number>();
    let seen = 0;
    while (killed.size < KILLS) {
      // After each new step start (driven by the log, not a clock), kill a random worker that runs a step:
      // where in its step it dies depends on how long the last respawn took.
      const next = seen + 1;
      const text = await c.logged((t) => countStarts(t) >= next, 120_000);
      seen = next;
      const inFlight = inFlightPids(text);
      const candidates = workers.filter((w) => inFlight.has(w.pid));
      if (candidates.length === 0) continue;
      const victim = candidates[Math.floor(Math.random() * candidates.length)]!;
      victim.proc.kill('SIGKILL');
      await victim.proc;
      killed.add(victim.pid);
      workers[workers.indexOf(victim)] = (await c.workers(1, env))[0]!;
    }
    await writeFile(gate, '');
    const result = await finished;
    expect(result.stderr).not.toContain(c.db.password);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(killed.size).toBe(KILLS);

    const dag = fixtureDag(GROUPS);
    const entries = parseLog(await readFile(c.log, 'utf8'));
    expect(checkProvisionLog(entries, dag, killed)).toEqual([]);
    const rows = await readRows(c.url);
    expect([...rows.groups.values()].every((s) => s === 'provisioned')).toBe(true);
    expect(rows.steps.every((s) => s.state === 'done' && s.worker !== null)).toBe(true);

    const before = entries.length;
    const down = await c.cli(['teardown'], env).proc;
    expect(down.exitCode, down.stderr).toBe(0);
    const after = parseLog(await readFile(c.log, 'utf8')).slice(before);
    expect(checkTeardownLog(after, dag)).toEqual([]);
    expect((await readRows(c.url)).groups.size).toBe(0);

    await c.stop(workers);
  }, 600_000);
});

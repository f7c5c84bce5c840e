import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { GroupState, StepState, type StateData } from '../../src/index.js';
import { readStateFile } from '../../src/state/file-store.js';
import { spawnTs, type Child } from '../helpers/children.js';
import { fixture } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { isRunning, waitForFile } from '../helpers/wait.js';

/** The fixture's pipeline: group -> number of steps. */
const PIPELINE: Record<string, number> = { db: 3, app: 2, cache: 1 };

// ---------------------------------------------------------------------------
// Child processes

/** The fixture in `mode`; with `blockAt`, it freezes there (and says "blocked" in the log). */
function runFixture(mode: 'provision' | 'teardown', stateFile: string, logFile: string, blockAt?: string): Child {
  return spawnTs([fixture('resume-pipeline.ts'), mode, stateFile, logFile], { BLOCK_AT: blockAt || undefined });
}

async function runToCompletion(mode: 'provision' | 'teardown', stateFile: string, logFile: string): Promise<void> {
  const child = runFixture(mode, stateFile, logFile);
  const exit = await child.exited;
  expect(exit, `${mode} run failed:\n${child.stderr()}`).toEqual({ code: 0, signal: null });
}

/** Run the fixture until it freezes at `blockAt`, then kill -9 it. Returns its pid. */
async function runUntilKilled(stateFile: string, logFile: string, blockAt: string): Promise<number> {
  const child = runFixture('provision', stateFile, logFile, blockAt);
  await Promise.race([
    waitForFile(logFile, (text) => text.split('\n').includes('blocked')),
    child.exited.then((exit) => {
      throw new Error(`fixture exited (${JSON.stringify(exit)}) before reaching ${blockAt}:\n${child.stderr()}`);
    }),
  ]);
  child.proc.kill('SIGKILL');
  expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
  expect(isRunning(child.pid)).toBe(false);
  return child.pid;
}

// ---------------------------------------------------------------------------
// The side log

interface StartLine {
  at: number;
  run: number;
  group: string;
  step: number;
  input: unknown;
  found: string;
  deps: Record<string, unknown>;
}
interface DoneLine {
  at: number;
  run: number;
  group: string;
  step: number;
  output: { from: string; id: string };
}
interface StopLine {
  at: number;
  run: number;
  group: string;
  step: number;
  id: string;
}

interface Log {
  lines: string[];
  /** Lines of each run (index 0: the first run). */
  runs: string[][];
  starts: StartLine[];
  dones: DoneLine[];
  stops: StopLine[];
  provisioned: { at: number; run: number; group: string }[];
}

function parseLog(text: string): Log {
  const lines = text.split('\n').filter((l) => l !== '');
  const log: Log = { lines, runs: [], starts: [], dones: [], stops: [], provisioned: [] };
  let run = 0;
  lines.forEach((line, at) => {
    if (line.startsWith('run-start ')) {
      run++;
      log.runs.push([]);
    }
    log.runs[run - 1]?.push(line);
    let m: RegExpMatchArray | null;
    if ((m = line.match(/^start (\w+) (\d+) input=(\S+) found=(\S+) deps=(\S+)$/))) {
      log.starts.push({ at, run, group: m[1]!, step: Number(m[2]), input: JSON.parse(m[3]!), found: m[4]!, deps: JSON.parse(m[5]!) });
    } else if ((m = line.match(/^done (\w+) (\d+) output=(\S+)$/))) {
      log.dones.push({ at, run, group: m[1]!, step: Number(m[2]), output: JSON.parse(m[3]!) });
    } else if ((m = line.match(/^stop (\w+) (\d+) id=(\S+)$/))) {
      log.stops.push({ at, run, group: m[1]!, step: Number(m[2]), id: m[3]! });
    } else if ((m = line.match(/^provisioned (\w+)$/))) {
      log.provisioned.push({ at, run, group: m[1]! });
    }
  });
  return log;
}

// ---------------------------------------------------------------------------
// The state file

function stepState(data: StateData, group: string, step: number): string | undefined {
  return data.groups[group]?.steps[step - 1]?.state;
}

/** The provisioner's saved `resourceId` (plain strings are stored as is by superjson). */
function savedId(data: StateData, group: string, step: number): unknown {
  const json = data.groups[group]?.steps[step - 1]?.provisioner.fields.json as Record<string, unknown> | undefined;
  return json?.resourceId;
}

function savedOutput(data: StateData, group: string, step: number): unknown {
  return data.groups[group]?.steps[step - 1]?.output?.json;
}

// ---------------------------------------------------------------------------
// Invariants that hold wherever the first run was killed

function checkResumeInvariants(atKill: StateData, final: StateData, log: Log): void {
  // Two runs: the killed one and the resumed one.
  expect(log.runs).toHaveLength(2);
  expect(log.runs[0]).toContain('blocked');
  expect(log.runs[1]).not.toContain('blocked');
  // The resumed run scheduled nothing new and built no provisioner: all came from the snapshot.
  expect(log.runs[1]).toContain('scheduled []');
  expect(log.runs[1]).toContain('run-end ok=true constructed=0');

  // Every group ends provisioned, every step done.
  expect(Object.keys(final.groups).sort()).toEqual(Object.keys(PIPELINE).sort());
  for (const [group, count] of Object.entries(PIPELINE)) {
    expect(final.groups[group]!.state, group).toBe(GroupState.Provisioned);
    expect(
      final.groups[group]!.steps.map((s) => s.state),
      group,
    ).toEqual(Array.from({ length: count }, () => StepState.Done));
  }

  for (const [group, count] of Object.entries(PIPELINE)) {
    for (let step = 1; step <= count; step++) {
      const label = `${group} step ${step}`;
      const starts = log.starts.filter((s) => s.group === group && s.step === step);
      const first = starts.filter((s) => s.run === 1);
      const second = starts.filter((s) => s.run === 2);
      const killed = stepState(atKill, group, step);

      // Done steps ran exactly once; only a step in flight at the kill may run twice.
      if (killed === StepState.Done) {
        expect(first, label).toHaveLength(1);
        expect(second, label).toHaveLength(0);
      } else if (killed === StepState.Running) {
        expect(first.length, label).toBeLessThanOrEqual(1);
        expect(second, label).toHaveLength(1);
      } else {
        expect(killed, label).toBe(StepState.Pending);
        expect(first, label).toHaveLength(0);
        expect(second, label).toHaveLength(1);
      }

      // Every attempt got its predecessor's return value, as saved.
      for (const s of starts) {
        expect(s.input, label).toEqual(step === 1 ? null : savedOutput(final, group, step - 1));
      }

      // An id checkpointed by the killed attempt is what the resumed attempt finds and keeps.
      const checkpointed = savedId(atKill, group, step);
      if (killed === StepState.Running && typeof checkpointed === 'string') {
        expect(second[0]!.found, label).toBe(checkpointed);
        expect(savedId(final, group, step), label).toBe(checkpointed);
      }
      // The final snapshot and output agree on the id.
      expect((savedOutput(final, group, step) as { id: string }).id, label).toBe(savedId(final, group, step));
    }
  }

  // A dependent never started before its dependency was provisioned.
  const dbProvisioned = log.provisioned.filter((p) => p.group === 'db');
  expect(dbProvisioned).toHaveLength(1);
  const appStarts = log.starts.filter((s) => s.group === 'app');
  expect(appStarts.length).toBeGreaterThan(0);
  for (const s of appStarts) {
    expect(s.at).toBeGreaterThan(dbProvisioned[0]!.at);
    expect(s.deps).toEqual({ db: savedOutput(final, 'db', 3) });
  }
  const lastDbDone = Math.max(...log.dones.filter((d) => d.group === 'db').map((d) => d.at));
  expect(Math.min(...appStarts.map((s) => s.at))).toBeGreaterThan(lastDbDone);
}

/** Tear down in another process: each shutdown once, reverse order in each group, app before db. */
async function checkTeardown(stateFile: string, logFile: string, final: StateData): Promise<void> {
  await runToCompletion('teardown', stateFile, logFile);
  const log = parseLog(await readFile(logFile, 'utf8'));
  expect(log.runs).toHaveLength(3);
  expect(log.runs[2]).toContain('teardown-end ok=true removed=["cache","app","db"] constructed=0');
  const stops = log.stops.filter((s) => s.run === 3);
  expect(log.stops).toEqual(stops); // no shutdown ran before the teardown

  const order = (group: string) => stops.filter((s) => s.group === group).map((s) => s.step);
  expect(order('db')).toEqual([3, 2, 1]);
  expect(order('app')).toEqual([2, 1]);
  expect(order('cache')).toEqual([1]);
  expect(stops).toHaveLength(6);
  const lastApp = Math.max(...stops.filter((s) => s.group === 'app').map((s) => s.at));
  const firstDb = Math.min(...stops.filter((s) => s.group === 'db').map((s) => s.at));
  expect(lastApp).toBeLessThan(firstDb);
  // Each shutdown saw the id its startup recorded.
  for (const s of stops) expect(s.id, `${s.group} ${s.step}`).toBe(savedId(final, s.group, s.step));

  const after = await readStateFile(stateFile);
  expect(after!.groups).toEqual({});
  expect(existsSync(`${stateFile}.lock`)).toBe(false);
}

interface Scenario {
  stateFile: string;
  logFile: string;
  killedPid: number;
  atKill: StateData;
  firstLog: Log;
  final: StateData;
  log: Log;
}

/** Kill the first run at `blockAt`, check what the kill left, resume, check the invariants. */
async function killAndResume(blockAt: string): Promise<Scenario> {
  const dir = await tempDir('groundwork-resume-');
  const stateFile = join(dir, 'state.json');
  const logFile = join(dir, 'steps.log');

  const killedPid = await runUntilKilled(stateFile, logFile, blockAt);

  // The state file loads after a kill -9, and the dead process's lock is still there.
  const atKill = await readStateFile(stateFile);
  expect(atKill).toBeDefined();
  expect(JSON.parse(await readFile(`${stateFile}.lock`, 'utf8'))).toMatchObject({ pid: killedPid });
  const firstLog = parseLog(await readFile(logFile, 'utf8'));
  expect(firstLog.lines.at(-1)).toBe('blocked');
  expect(firstLog.starts.some((s) => s.group === 'app')).toBe(false);

  await runToCompletion('provision', stateFile, logFile);
  const final = await readStateFile(stateFile);
  expect(final).toBeDefined();
  expect(final!.id).toBe(atKill!.id);
  const log = parseLog(await readFile(logFile, 'utf8'));
  checkResumeInvariants(atKill!, final!, log);
  return { stateFile, logFile, killedPid, atKill: atKill!, firstLog, final: final!, log };
}

const pid = (n: number) => `pid${n}`;

// ---------------------------------------------------------------------------

describe('resume after kill -9', () => {
  test('before a step: at step:start of db step 2, its running state already durable', async () => {
    const sc = await killAndResume('step:start:db:2');
    const { atKill, firstLog, log, final, killedPid } = sc;

    expect(atKill.groups.db!.state).toBe(GroupState.Provisioning);
    expect(atKill.groups.db!.steps.map((s) => s.state)).toEqual([StepState.Done, StepState.Running, StepState.Pending]);
    expect(atKill.groups.app!.state).toBe(GroupState.Pending);
    expect(firstLog.lines.slice(-2)).toEqual(['event step:start db 2 resumed=false', 'blocked']);
    // startup() of db step 2 had not been called yet.
    expect(firstLog.starts.filter((s) => s.group === 'db' && s.step === 2)).toEqual([]);

    // The resumed run picks up db at step 2, marked as resumed, with step 1's saved return.
    expect(log.runs[1]).toContain('event group:start db resumeAt=2');
    expect(log.runs[1]).toContain('event step:start db 2 resumed=true');
    const db2 = log.starts.filter((s) => s.group === 'db' && s.step === 2);
    expect(db2).toHaveLength(1);
    expect(db2[0]!.found).toBe('none');
    expect(db2[0]!.input).toEqual({ from: 'db:1', id: `db-1-${pid(killedPid)}` });
    expect(log.starts.filter((s) => s.group === 'db' && s.step === 1)).toHaveLength(1);

    await checkTeardown(sc.stateFile, sc.logFile, final);
  });

  test('during a step: after the checkpoint inside db step 2', async () => {
    const sc = await killAndResume('step:checkpoint:db:2');
    const { atKill, log, final, killedPid } = sc;

    expect(atKill.groups.db!.steps.map((s) => s.state)).toEqual([StepState.Done, StepState.Running, StepState.Pending]);
    // The checkpoint made the id durable before the work was done.
    expect(savedId(atKill, 'db', 2)).toBe(`db-2-${pid(killedPid)}`);
    expect(atKill.groups.db!.steps[1]!.output).toBeUndefined();

    // db step 2 ran twice, with the same input; the second attempt found the first one's id.
    const db2 = log.starts.filter((s) => s.group === 'db' && s.step === 2);
    expect(db2.map((s) => s.run)).toEqual([1, 2]);
    expect(db2[0]!.found).toBe('none');
    expect(db2[1]!.found).toBe(`db-2-${pid(killedPid)}`);
    expect(db2[1]!.input).toEqual(db2[0]!.input);
    expect(db2[0]!.input).toEqual({ from: 'db:1', id: `db-1-${pid(killedPid)}` });
    // It kept that resource instead of making a new one.
    expect(savedOutput(final, 'db', 2)).toEqual({ from: 'db:2', id: `db-2-${pid(killedPid)}` });
    expect(log.runs[1]).toContain('event step:start db 2 resumed=true');

    await checkTeardown(sc.stateFile, sc.logFile, final);
  });

  test('after a step: at step:finish of db step 2, the step is durable', async () => {
    const sc = await killAndResume('step:finish:db:2');
    const { atKill, log, final, killedPid } = sc;

    // Step 2's "done" is one record with step 3's "running": step 3 is marked in flight, its startup not called yet.
    expect(atKill.groups.db!.steps.map((s) => s.state)).toEqual([StepState.Done, StepState.Done, StepState.Running]);
    expect(savedOutput(atKill, 'db', 2)).toEqual({ from: 'db:2', id: `db-2-${pid(killedPid)}` });

    // Not run again: the resumed run starts at step 3, fed step 2's saved return.
    expect(log.starts.filter((s) => s.group === 'db' && s.step === 2).map((s) => s.run)).toEqual([1]);
    expect(log.runs[1]).toContain('event group:start db resumeAt=3');
    expect(log.runs[1]!.some((l) => l.startsWith('event step:start db 2'))).toBe(false);
    const db3 = log.starts.filter((s) => s.group === 'db' && s.step === 3);
    expect(db3.map((s) => s.run)).toEqual([2]);
    expect(db3[0]!.input).toEqual({ from: 'db:2', id: `db-2-${pid(killedPid)}` });
    expect(savedOutput(final, 'db', 2)).toEqual(savedOutput(atKill, 'db', 2));

    await checkTeardown(sc.stateFile, sc.logFile, final);
  });

  test('between groups: at group:finish of db, before the first startup of app', async () => {
    const sc = await killAndResume('group:finish:db');
    const { atKill, firstLog, log, final, killedPid } = sc;

    expect(atKill.groups.db!.state).toBe(GroupState.Provisioned);
    expect(atKill.groups.db!.steps.map((s) => s.state)).toEqual([StepState.Done, StepState.Done, StepState.Done]);
    // app's first record went out in the same write as db's last: marked in flight, its startup not called yet.
    expect(atKill.groups.app!.state).toBe(GroupState.Provisioning);
    expect(atKill.groups.app!.steps.map((s) => s.state)).toEqual([StepState.Running, StepState.Pending]);
    expect(firstLog.lines.slice(-2)).toEqual(['provisioned db', 'blocked']);

    // db is not touched again; app runs in the resumed run, seeing db's saved output.
    expect(log.runs[1]!.filter((l) => /^(event \S+|start|done|provisioned) db\b/.test(l))).toEqual([]);
    expect(log.starts.filter((s) => s.group === 'db').every((s) => s.run === 1)).toBe(true);
    const app1 = log.starts.filter((s) => s.group === 'app' && s.step === 1);
    expect(app1.map((s) => s.run)).toEqual([2]);
    expect(app1[0]!.deps).toEqual({ db: { from: 'db:3', id: `db-3-${pid(killedPid)}` } });
    expect(app1[0]!.input).toBeNull();

    await checkTeardown(sc.stateFile, sc.logFile, final);
  });
});

// Every failpoint between a provisioner's side effect, the journal append, the
// sync and the acknowledgement (and inside compaction), driven with kill -9;
// and I/O errors injected at the write and the sync.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { STEP_FAILPOINTS } from '../../src/failpoints.js';
import { readStateFile } from '../../src/state/file-store.js';
import { checkProvisioning, doneSteps, readCalls, stepKey } from '../helpers/fault-log.js';
import { bundledPipeline, faultDeps, runPipeline } from '../helpers/fault-run.js';
import { readRawState } from '../helpers/state.js';
import { tempDir } from '../helpers/temp.js';

// Small enough that the journal is compacted every few batches.
const COMPACT_BYTES = 6_000;
const GROUPS = 8;

const pipeline = bundledPipeline();

async function workspace() {
  const dir = await tempDir('groundwork-failpoint-');
  return { dir, stateFile: join(dir, 'state.json'), logFile: join(dir, 'calls.log') };
}

// The 3rd time a point is reached is mid-run: past the schedule and the first steps.
describe.each(STEP_FAILPOINTS.map((point) => ({ point })))('kill -9 at $point', ({ point }) => {
  test('the state loads, and the resumed run keeps every invariant', async () => {
    const { dir, stateFile, logFile } = await workspace();
    const options = { groups: GROUPS, compactAfterBytes: COMPACT_BYTES };
    const child = runPipeline(pipeline(), stateFile, logFile, 'provision', { ...options, failpoint: `${point}:kill@3` });
    expect(await child.exited, `the failpoint was not reached:\n${child.stderr()}`).toEqual({ code: null, signal: 'SIGKILL' });

    expect(await readStateFile(stateFile)).toBeDefined();
    const atKill = readRawState(stateFile);
    const killedCalls = readCalls(logFile).filter((c) => c.pid === child.pid);
    const doneAtKill = doneSteps(atKill);
    if (point === 'before-startup') {
      // Marked running, killed before its startup was called.
      const running = Object.entries(atKill.groups).flatMap(([g, r]) =>
        r.steps.flatMap((s, i) => (s.state === 'running' ? [stepKey(g, i)] : [])),
      );
      expect(running.some((key) => !killedCalls.some((c) => stepKey(c.group, c.step) === key))).toBe(true);
    }
    if (point === 'after-step-before-journal') {
      // A side effect whose record never reached the journal: that step runs again.
      expect(killedCalls.some((c) => !doneAtKill.has(stepKey(c.group, c.step)))).toBe(true);
    }

    const resumed = runPipeline(pipeline(), stateFile, logFile, 'provision', options);
    expect((await resumed.exited).code, resumed.stderr()).toBe(0);
    checkProvisioning(readCalls(logFile), readRawState(stateFile), [{ pid: child.pid, doneAfter: doneAtKill }], faultDeps(GROUPS), point);
    // Nothing left over from the killed writer: the log, the state and the snapshot before it.
    expect(readdirSync(dir).sort()).toEqual(['calls.log', 'state.json', 'state.json.prev']);
  });
});

describe.each([
  { failpoint: 'before-journal-write:eio@4', code: 'EIO', what: 'a write' },
  { failpoint: 'after-journal-before-sync:eio@4', code: 'EIO', what: 'an fsync' },
  { failpoint: 'after-journal-before-sync:enospc@4', code: 'ENOSPC', what: 'an fsync' },
])('$code from $what', ({ failpoint, code }) => {
  test('stops the run with a clear error, reports nothing done that is not durable, and a re-run completes', async () => {
    const { stateFile, logFile } = await workspace();
    const child = runPipeline(pipeline(), stateFile, logFile, 'provision', { groups: GROUPS, failpoint });
    const exit = await child.exited;
    expect(exit.code, child.stderr()).toBe(1);
    expect(child.stderr()).toContain(`Cannot make the state durable (${code}: injected by failpoint`);
    expect(child.stderr()).not.toContain('provision failed'); // the run itself rejected
    expect(child.stderr()).toContain('nothing was retried');
    expect(child.stderr()).toContain(stateFile);

    // Every step the failed run reported done is done on disk; the failed batch is not.
    const after = readRawState(stateFile);
    const done = doneSteps(after);
    const reported = [...child.stdout().matchAll(/event step:finish (\S+) (\d)/g)].map((m) => stepKey(m[1]!, Number(m[2])));
    for (const key of reported) expect(done.has(key), `${key} reported done but not durable`).toBe(true);
    const ran = readCalls(logFile).filter((c) => c.pid === child.pid);
    expect(ran.some((c) => !done.has(stepKey(c.group, c.step)))).toBe(true); // the lost batch's steps

    const again = runPipeline(pipeline(), stateFile, logFile, 'provision', { groups: GROUPS });
    expect((await again.exited).code, again.stderr()).toBe(0);
    checkProvisioning(readCalls(logFile), readRawState(stateFile), [{ pid: child.pid, doneAfter: done }], faultDeps(GROUPS), failpoint);
  });
});

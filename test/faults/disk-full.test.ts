// A real full disk: the state on a 24 KiB tmpfs fills up mid-run. The run
// stops with ENOSPC, nothing undurable is reported done, and once there is
// room again the state loads and the run completes. Needs root (mount).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, test } from 'vitest';
import { readStateFile } from '../../src/state/file-store.js';
import { checkProvisioning, doneSteps, readCalls, stepKey } from '../helpers/fault-log.js';
import { bundledPipeline, faultDeps, GROUPS, runPipeline } from '../helpers/fault-run.js';
import { readRawState } from '../helpers/state.js';
import { tempDir } from '../helpers/temp.js';

const pipeline = bundledPipeline();
const root = process.getuid?.() === 0;

// In CI a missing root is a failure (the mount fails), not a skip.
test.runIf(root || process.env.CI === 'true')('a full disk stops the run with ENOSPC; with room again it resumes', async () => {
  const dir = await tempDir('groundwork-disk-full-');
  const disk = join(dir, 'disk');
  await mkdir(disk);
  await execa('mount', ['-t', 'tmpfs', '-o', 'size=24k', 'groundwork-test', disk]);
  try {
    const stateFile = join(disk, 'state.json');
    const logFile = join(dir, 'calls.log'); // off the small disk
    const child = runPipeline(pipeline(), stateFile, logFile, 'provision');
    expect((await child.exited).code, child.stderr()).toBe(1);
    expect(child.stderr()).toContain(`Cannot make the state durable (ENOSPC: no space left on device, write) in ${stateFile}.journal`);

    const done = doneSteps(readRawState(stateFile));
    const reported = [...child.stdout().matchAll(/event step:finish (\S+) (\d)/g)].map((m) => stepKey(m[1]!, Number(m[2])));
    expect(reported.length).toBeGreaterThan(0);
    for (const key of reported) expect(done.has(key), `${key} reported done but not durable`).toBe(true);

    await execa('mount', ['-o', 'remount,size=4m', disk]);
    expect(await readStateFile(stateFile)).toBeDefined();
    const again = runPipeline(pipeline(), stateFile, logFile, 'provision');
    expect((await again.exited).code, again.stderr()).toBe(0);
    checkProvisioning(readCalls(logFile), readRawState(stateFile), [{ pid: child.pid, doneAfter: done }], faultDeps(GROUPS), 'disk full');
  } finally {
    await execa('umount', [disk]);
  }
});

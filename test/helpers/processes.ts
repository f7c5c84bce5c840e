import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { stopProcessGroup } from '../../src/os/process-tree.js';
import { tempDir } from './temp.js';
import { isRunning } from './wait.js';

/** The kernel start time of a process (field 22 of /proc/PID/stat), read independently of the code under test. */
export function startTimeOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return undefined;
  }
}

/** Safety net only: stop a leftover process group, with a direct SIGKILL if the library's stop did not end it. */
export async function forceStop(pid: number, startTime: number | undefined): Promise<void> {
  await stopProcessGroup(pid, startTime, { graceMs: 0 }).catch(() => {});
  if (!isRunning(pid)) return;
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

interface Seen {
  pid: number;
  startTime: number | undefined;
}

/** Still the process that was seen: same pid and the same kernel start time. */
function isSame(p: Seen): boolean {
  return p.startTime !== undefined && startTimeOf(p.pid) === p.startTime;
}

/**
 * A temp folder with a `state.json` path in it, and a safety net that runs
 * after the test (before the folder is removed): tear down what the state
 * still holds, then stop any tracked process that is still the same process.
 */
export async function serviceWorkspace(prefix: string) {
  const dir = await tempDir(prefix);
  const stateFile = join(dir, 'state.json');
  const leaders: Seen[] = [];
  const others: Seen[] = [];
  onTestFinished(async () => {
    try {
      if (existsSync(stateFile)) {
        const s = await Scheduler.open({ stateFile });
        try {
          await s.teardown({ force: true });
        } finally {
          await s.close();
        }
      }
    } finally {
      for (const p of leaders) if (isSame(p)) await forceStop(p.pid, p.startTime);
      for (const p of others) if (isSame(p)) process.kill(p.pid, 'SIGKILL');
    }
  });
  return {
    dir,
    stateFile,
    /** A process group leader to stop at the end if the test did not (its start time read now unless given). */
    track(pid: number, startTime: number | undefined = startTimeOf(pid)) {
      leaders.push({ pid, startTime });
    },
    /** A process that is not a group leader: SIGKILLed at the end if still there. */
    trackOther(pid: number) {
      others.push({ pid, startTime: startTimeOf(pid) });
    },
  };
}

import { readdirSync, readFileSync } from 'node:fs';
import { ProcessError } from '../errors.js';
import { processStartTime } from './process-info.js';
import { setTimeout as delay } from 'node:timers/promises';

/** Does any process remain in process group `pgid`? */
export function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Send `signal` to every process in group `pgid`; a group that is already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/**
 * Stop the process group we started: SIGTERM, then SIGKILL if it is still
 * there after `graceMs`. Refuses to signal a pid that now belongs to another
 * process. Resolves once the group is gone; reports whether it had to kill.
 */
export async function stopProcessGroup(
  pid: number,
  startTime: number | undefined,
  options: { graceMs: number; signal?: AbortSignal },
): Promise<{ wasRunning: boolean; killed: boolean }> {
  const leader = processStartTime(pid);
  const reused = leader !== undefined && startTime !== undefined && leader !== startTime;
  if (reused || !groupExists(pid)) return { wasRunning: false, killed: false };
  signalGroup(pid, 'SIGTERM');
  if (await waitUntilGone(pid, options.graceMs, options.signal)) return { wasRunning: true, killed: false };
  signalGroup(pid, 'SIGKILL');
  if (!(await waitUntilGone(pid, 5_000, options.signal))) {
    throw new ProcessError(
      `Process group ${pid} is still there 5 s after SIGKILL; it may be stuck in the kernel (state D). Find its processes with \`ps -eo pid,pgid,stat,wchan,cmd\` (pgid ${pid}) and retry once they are gone.`,
      { pid },
    );
  }
  return { wasRunning: true, killed: true };
}

// A process that is not our child gives no exit event, so we look at /proc.
async function waitUntilGone(pgid: number, ms: number, signal?: AbortSignal): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    if (!groupExists(pgid) || onlyZombies(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await delay(wait, undefined, signal ? { signal } : {});
  }
}

function onlyZombies(pgid: number): boolean {
  // Our own exited-but-unreaped child keeps its group "existing" until reaped.
  return processStartTime(pgid) === undefined && !groupExistsBeyondLeader(pgid);
}

function groupExistsBeyondLeader(pgid: number): boolean {
  try {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry) || Number(entry) === pgid) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        if (Number(fields[2]) === pgid && fields[0] !== 'Z') return true;
      } catch {
        // process exited while we looked
      }
    }
  } catch {
    return true;
  }
  return false;
}

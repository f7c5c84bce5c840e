import { DriverError } from '../../errors.js';
import { spawnDetached } from '../../os/detached.js';
import { isSameProcessAlive, processStartTime } from '../../os/process-info.js';
import { stopProcessGroup } from '../../os/process-tree.js';
import type { MachineFiles } from './machine-files.js';

export const SSHD = '/usr/sbin/sshd';

/**
 * Start `sshd -D` inside the namespace as a detached process group leader
 * (`ip netns exec` execs sshd in place, so the pid is sshd's), its output to
 * the machine's log. The pid and start time are returned for the reference.
 */
export async function startSshd(
  namespace: string,
  files: MachineFiles,
  configPath: string,
  sshd: string = SSHD,
): Promise<{ pid: number; startTime: number | undefined }> {
  try {
    const { pid, exit } = await spawnDetached('ip', ['netns', 'exec', namespace, sshd, '-D', '-e', '-f', configPath], {
      logFile: files.log,
    });
    void exit.catch(() => {}); // its exit is seen through /proc (isSshdAlive)
    return { pid, startTime: processStartTime(pid) };
  } catch (cause) {
    throw new DriverError(`Could not start ${sshd} in namespace ${namespace}: ${String(cause)}`);
  }
}

export function isSshdAlive(pid: unknown, startTime: unknown): boolean {
  return typeof pid === 'number' && isSameProcessAlive(pid, typeof startTime === 'number' ? startTime : undefined);
}

export async function stopSshd(pid: unknown, startTime: unknown, signal?: AbortSignal): Promise<void> {
  if (typeof pid !== 'number') return;
  await stopProcessGroup(pid, typeof startTime === 'number' ? startTime : undefined, { graceMs: 3_000, ...(signal ? { signal } : {}) });
}

import { rm } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { DriverError } from '../../errors.js';
import { processStartTime } from '../../os/process-info.js';
import { deleteLink, deleteNamespace, linkExists, listLinks, namespaceExists, namespacePids } from './ip.js';
import { vethNames } from './names.js';

/**
 * Remove a namespace and all it holds: SIGKILL every process in it (sshd and
 * any session it forked: a process keeps a deleted namespace alive), delete
 * it, and delete the host end of its veth if it outlived its peer. Idempotent.
 */
export async function removeNamespace(namespace: string, files: string | undefined, signal?: AbortSignal): Promise<void> {
  if (await namespaceExists(namespace, signal)) {
    await killAll(namespace, await namespacePids(namespace, signal), signal);
    await deleteNamespace(namespace, signal);
  }
  for (const link of await hostVeths(namespace, signal)) {
    if (await linkExists(link, undefined, signal)) await deleteLink(link, signal).catch(() => {}); // gone with its peer meanwhile
  }
  if (files) await rm(files, { recursive: true, force: true });
}

// By name, and by the alias we set on it (the name is a hash of the namespace).
async function hostVeths(namespace: string, signal?: AbortSignal): Promise<string[]> {
  const { host } = vethNames(namespace);
  const aliased = (await listLinks(undefined, signal)).filter((l) => l.ifalias === namespace).map((l) => l.ifname);
  return [...new Set([host, ...aliased])];
}

/** SIGKILL every pid and wait until each is gone (or a zombie); also what `powerOff` does. */
export async function killAll(namespace: string, pids: number[], signal?: AbortSignal): Promise<void> {
  const started = pids.map((pid) => ({ pid, start: processStartTime(pid) }));
  for (const p of started) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  // Not our children, so no exit event: watch /proc until they are gone (or reaped zombies).
  const deadline = Date.now() + 5_000;
  for (let wait = 2; started.some((p) => p.start !== undefined && processStartTime(p.pid) === p.start); wait = Math.min(wait * 2, 50)) {
    if (Date.now() > deadline)
      throw new DriverError(
        `Processes ${pids.join(', ')} of namespace ${namespace} are still there 5 s after SIGKILL; they may be stuck in the kernel (state D). ` +
          `Destroy the machine again once \`ip netns pids ${namespace}\` lists none.`,
      );
    await delay(wait, undefined, signal ? { signal } : {});
  }
}

// What this process holds open, read from /proc (independently of the code under test).
import { readdir, readFile, readlink } from 'node:fs/promises';

/** The targets of this process's file descriptors (paths, `socket:[inode]`, `pipe:[…]`). */
export async function openTargets(): Promise<string[]> {
  const fds = await readdir('/proc/self/fd');
  const targets = await Promise.all(fds.map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return targets.filter((t) => t !== '');
}

/** Open file descriptors of this process on files under `dir`. */
export async function openFilesUnder(dir: string): Promise<string[]> {
  return (await openTargets()).filter((t) => t.startsWith(`${dir}/`));
}

/** This process's TCP connections (in any state but closed) whose remote port is `port`. */
export async function tcpConnectionsTo(port: number): Promise<number> {
  const inodes = new Set((await openTargets()).flatMap((t) => /^socket:\[(\d+)\]$/.exec(t)?.slice(1) ?? []));
  let count = 0;
  for (const table of ['/proc/self/net/tcp', '/proc/self/net/tcp6']) {
    const lines = (await readFile(table, 'utf8').catch(() => '')).split('\n').slice(1);
    for (const line of lines) {
      const fields = line.trim().split(/\s+/);
      const remote = fields[2];
      const inode = fields[9];
      if (!remote || !inode || !inodes.has(inode)) continue;
      if (parseInt(remote.split(':')[1]!, 16) === port) count++;
    }
  }
  return count;
}

import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:net';

/**
 * A mutex the kernel releases when its holder dies: a listening socket in
 * Linux's abstract namespace, named after the lock file. Only its holder may
 * remove another process's lock file, so two processes taking over one stale
 * lock at the same moment cannot remove each other's fresh lock.
 * Resolves with a release function, or undefined if another process holds it.
 */
export async function tryTakeoverMutex(lockPath: string): Promise<(() => Promise<void>) | undefined> {
  const name = `\0groundwork-lock-${createHash('sha256').update(lockPath).digest('hex').slice(0, 32)}`;
  const server: Server = createServer();
  const held = await new Promise<boolean>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error)));
    server.listen({ path: name, exclusive: true }, () => resolve(true));
  });
  if (!held) return undefined;
  server.unref();
  return () => new Promise<void>((resolve) => server.close(() => resolve()));
}

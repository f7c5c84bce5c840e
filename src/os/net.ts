import { createServer, connect } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { NotReadyError } from '../errors.js';

/** A TCP port that is free on `host` right now (the OS picks it). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      const address = server.address();
      // Invariant: a TCP server that is listening has an address object; never reaches a user.
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** One connection attempt; true if something accepted it. */
export function portAnswers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Wait until `host:port` accepts a connection. `stillAlive` is checked
 * between attempts so a server that crashed fails fast instead of timing out.
 */
export async function waitForPort(
  host: string,
  port: number,
  options: { timeoutMs: number; signal: AbortSignal; stillAlive?: () => string | undefined },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (let wait = 10; ; wait = Math.min(wait * 2, 250)) {
    options.signal.throwIfAborted();
    if (await portAnswers(host, port)) return;
    const dead = options.stillAlive?.();
    if (dead) throw new NotReadyError(dead, { host, port });
    if (Date.now() >= deadline)
      throw new NotReadyError(`${host}:${port} did not accept connections within ${options.timeoutMs} ms.`, { host, port });
    await delay(wait, undefined, { signal: options.signal });
  }
}

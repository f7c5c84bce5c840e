import { setTimeout as delay } from 'node:timers/promises';
import { NotReadyError } from '../../errors.js';
import type { Machine } from '../../machines/machine.js';
import { portAnswers } from '../../os/net.js';
import { aliveScript } from './scripts.js';

/** Is the process (pid + start time) still running on the machine? One short command over the open connection. */
export async function remoteAlive(machine: Machine, pid: number, startTime: number, signal: AbortSignal, timeoutMs = 5_000): Promise<boolean> {
  const result = await machine.execute(aliveScript(pid, startTime), { timeout: timeoutMs, signal });
  return result.stdout.trim() === 'alive';
}

/**
 * Wait until `host:port` accepts a connection from this process, checking
 * between attempts (over the open SSH connection) that the remote process
 * still runs, so a crash fails fast instead of waiting out the timeout.
 */
export async function waitRemoteReady(
  machine: Machine,
  target: { host: string; port: number; pid: number; startTime: number },
  options: { timeoutMs: number; signal: AbortSignal },
): Promise<void> {
  const { host, port, pid, startTime } = target;
  const deadline = Date.now() + options.timeoutMs;
  for (let wait = 10; ; wait = Math.min(wait * 2, 250)) {
    options.signal.throwIfAborted();
    if (await portAnswers(host, port)) return;
    if (!(await remoteAlive(machine, pid, startTime, options.signal)))
      throw new NotReadyError(`process ${pid} on ${machine.name} exited before ${host}:${port} answered`, { host, port });
    if (Date.now() >= deadline)
      throw new NotReadyError(`${host}:${port} did not accept connections within ${options.timeoutMs} ms (process ${pid} on ${machine.name} still runs).`, {
        host,
        port,
      });
    await delay(wait, undefined, { signal: options.signal });
  }
}

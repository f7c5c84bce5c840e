import { link, open, readFile, unlink } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { StateFileError, StateLockedError, type LockOwner } from '../errors.js';
import { isSameProcessAlive, processStartTime } from '../os/process-info.js';

/**
 * An exclusive lock next to the state file (`<file>.lock`, created with O_EXCL),
 * naming its owner. A lock whose owner process is gone (same host, pid not
 * alive) is taken over, since a kill -9 leaves it behind.
 */
export class StateLock {
  readonly path: string;
  #held = false;

  constructor(readonly stateFile: string) {
    this.path = `${stateFile}.lock`;
  }

  async acquire(): Promise<void> {
    const me: LockOwner = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
    const startTime = processStartTime(process.pid);
    if (startTime !== undefined) me.startTime = startTime;
    // Write the owner to a temp file first and link it into place: the lock
    // appears atomically with its content, so a reader never sees it half-written.
    const tmp = `${this.path}.${process.pid}.${randomUUID()}.tmp`;
    const handle = await open(tmp, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(me));
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      for (let attempt = 0; attempt < 3; attempt++) {
        try {
          await link(tmp, this.path);
          this.#held = true;
          return;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
            throw new StateFileError(this.stateFile, `Cannot create lock ${this.path}: ${(error as Error).message}`, error);
          }
        }
        const text = await readFile(this.path, 'utf8').catch(() => undefined);
        if (text === undefined) continue; // released between our link and read
        const owner = parseOwner(text);
        if (owner && (owner.host !== me.host || isAlive(owner))) throw new StateLockedError(this.stateFile, owner);
        // Its owner is gone (kill -9 leaves the lock behind): remove it if it is still the same lock.
        const again = await readFile(this.path, 'utf8').catch(() => undefined);
        if (again === text) await unlink(this.path).catch(() => {});
      }
    } finally {
      await unlink(tmp).catch(() => {});
    }
    const owner = parseOwner(await readFile(this.path, 'utf8').catch(() => ''));
    throw new StateLockedError(this.stateFile, owner ?? { pid: 0, host: 'unknown', since: 'unknown' });
  }

  async release(): Promise<void> {
    if (!this.#held) return;
    this.#held = false;
    const owner = parseOwner(await readFile(this.path, 'utf8').catch(() => ''));
    if (owner?.pid === process.pid) await unlink(this.path).catch(() => {});
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.since === 'string') {
      if (value.startTime !== undefined && typeof value.startTime !== 'number') return undefined;
      return value as LockOwner;
    }
  } catch {
    // fall through: treated as stale
  }
  return undefined;
}

function isAlive(owner: LockOwner): boolean {
  // With its start time we can tell the owner from a process that reused its pid.
  if (owner.startTime !== undefined) return isSameProcessAlive(owner.pid, owner.startTime);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

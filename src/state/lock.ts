import { randomUUID } from 'node:crypto';
import { link, open, readFile, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { failpoint } from '../failpoints.js';
import { StateFileError, StateLockedError, UnlockRefusedError, type LockOwner } from '../errors.js';
import { isSameProcessAlive, processStartTime } from '../os/process-info.js';
import { tryTakeoverMutex } from './takeover-mutex.js';

/**
 * An exclusive lock next to the state file (`<file>.lock`), naming its owner
 * and carrying a random id. A lock whose owner process is gone (same host,
 * pid not alive, or alive with another start time) is taken over, since a
 * kill -9 leaves it behind.
 */
export class StateLock {
  readonly path: string;
  #id: string | undefined;

  constructor(readonly stateFile: string) {
    this.path = `${stateFile}.lock`;
  }

  async acquire(): Promise<void> {
    const me: LockOwner = { id: randomUUID(), pid: process.pid, host: hostname(), since: new Date().toISOString() };
    const startTime = processStartTime(process.pid);
    if (startTime !== undefined) me.startTime = startTime;
    // Write the owner to a temp file first and link it into place: the lock
    // appears atomically with its content, so a reader never sees it half-written.
    const tmp = `${this.path}.${me.id}.tmp`;
    try {
      await writeOwner(tmp, me); // inside the try: a failed write must not leave the temp file behind
      for (let attempt = 0; attempt < 3; attempt++) {
        if (await linkOrExists(tmp, this.path, this.stateFile)) {
          this.#id = me.id;
          return;
        }
        const owner = await readOwner(this.path);
        if (owner === 'missing') continue; // released between our link and read
        if (owner && (owner.host !== me.host || isAlive(owner))) throw new StateLockedError(this.stateFile, owner);
        await this.#removeIfStill(owner);
      }
    } finally {
      await unlink(tmp).catch(() => {});
    }
    const owner = await readOwner(this.path);
    throw new StateLockedError(this.stateFile, owner === 'missing' || !owner ? unknownOwner() : owner);
  }

  async release(): Promise<void> {
    const id = this.#id;
    if (!id) return;
    this.#id = undefined;
    const owner = await readOwner(this.path);
    if (owner !== 'missing' && owner?.id === id) await unlink(this.path).catch(() => {});
  }

  /**
   * Remove a lock left behind, given its id (printed by the "locked" error):
   * refused for another id, or while its owner still runs on this host.
   */
  async unlock(id: string): Promise<LockOwner | undefined> {
    const owner = await readOwner(this.path);
    if (owner === 'missing') return undefined;
    if (owner?.id !== id) throw new UnlockRefusedError(this.stateFile, `its id is ${owner?.id ?? '(unreadable)'}, not ${id}`);
    if (owner.host === hostname() && isAlive(owner)) {
      throw new UnlockRefusedError(this.stateFile, `pid ${owner.pid} still holds it; stop that process (kill ${owner.pid}) first`);
    }
    if (!(await this.#removeIfStill(owner))) throw new UnlockRefusedError(this.stateFile, 'it changed while being removed; look again');
    return owner;
  }

  // Under the takeover mutex nobody else removes locks, and nobody can create
  // one while this one exists, so what we read is what we unlink.
  async #removeIfStill(owner: LockOwner | undefined): Promise<boolean> {
    const release = await tryTakeoverMutex(this.path);
    if (!release) return false; // another process is taking over; let the caller look again
    try {
      const now = await readOwner(this.path);
      if (now === 'missing' || now?.id !== owner?.id) return false;
      await unlink(this.path);
      return true;
    } finally {
      await release();
    }
  }
}

async function writeOwner(tmp: string, me: LockOwner): Promise<void> {
  const handle = await open(tmp, 'wx', 0o600);
  try {
    failpoint('lock-before-write');
    await handle.writeFile(JSON.stringify(me));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function linkOrExists(from: string, to: string, stateFile: string): Promise<boolean> {
  try {
    await link(from, to);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new StateFileError(stateFile, `Cannot create lock ${to}: ${(error as Error).message}`, error);
  }
}

/** The lock's owner; undefined if the file is unreadable as a lock (taken as stale). */
async function readOwner(path: string): Promise<LockOwner | undefined | 'missing'> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return 'missing';
  }
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.since === 'string') {
      if (value.startTime !== undefined && typeof value.startTime !== 'number') return undefined;
      return { ...value, id: typeof value.id === 'string' ? value.id : '' } as LockOwner;
    }
  } catch {
    // fall through: treated as stale
  }
  return undefined;
}

function unknownOwner(): LockOwner {
  return { id: '', pid: 0, host: 'unknown', since: 'unknown' };
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

/** Remove the lock of `stateFile` if its id is `id` and its owner is gone. Resolves with the removed owner, or undefined if there was no lock. */
export function unlockState(stateFile: string, id: string): Promise<LockOwner | undefined> {
  return new StateLock(stateFile).unlock(id);
}

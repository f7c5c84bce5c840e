import { readFileSync, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/**
 * Resolve with the file's text once `predicate` holds, woken by fs.watch on
 * its folder (no sleeping). Rejects after `timeoutMs` with the last content seen.
 */
export function waitForFile(file: string, predicate: (text: string) => boolean, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let done = false;
    let last = '';
    const watcher = watch(dirname(file), () => void check());
    const timer = setTimeout(() => finish(new Error(`timed out waiting on ${file}; last content:\n${last}`)), timeoutMs);
    const finish = (error?: Error, text?: string) => {
      if (done) return;
      done = true;
      watcher.close();
      clearTimeout(timer);
      if (error) reject(error);
      else resolve(text!);
    };
    const check = async () => {
      const text = await readFile(file, 'utf8').catch(() => '');
      last = text;
      if (predicate(text)) finish(undefined, text);
    };
    void check();
  });
}

/** True if a process with this pid exists (zombies count as gone). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\S+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
}

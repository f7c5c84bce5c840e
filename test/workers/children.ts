// Worker-mode CLI processes for the tests: `tasks.ts worker` / `provision` / `teardown` as
// real children against the fixture config, ended by pid only.
import { execa } from 'execa';
import { ROOT, fixture } from '../helpers/paths.js';

export const CONFIG = fixture('workers/config.ts');

function spawnCli(args: readonly string[], env: Record<string, string>) {
  return execa(process.execPath, ['--import', 'tsx', 'tasks.ts', ...args, '--config', CONFIG], {
    cwd: ROOT,
    reject: false,
    stdin: 'ignore',
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}

export interface Child {
  proc: ReturnType<typeof spawnCli>;
  pid: number;
  /** stderr so far. */
  err(): string;
  /** Resolves when stderr has a line matching `re` (no polling: on each chunk). */
  waitFor(re: RegExp): Promise<void>;
}

export function cli(args: readonly string[], env: Record<string, string>): Child {
  const proc = spawnCli(args, env);
  let err = '';
  const waiters: Array<{ re: RegExp; resolve: () => void }> = [];
  proc.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
    for (const w of [...waiters]) {
      if (w.re.test(err)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve();
      }
    }
  });
  return {
    proc,
    pid: proc.pid!,
    err: () => err,
    waitFor: (re) =>
      re.test(err)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ re, resolve });
            void proc.then((r) => reject(new Error(`process ${proc.pid} exited (${r.exitCode ?? r.signal}) before ${re}: ${err}`)));
          }),
  };
}

export function startWorker(env: Record<string, string>, extra: readonly string[] = []): Child {
  return cli(['worker', '--concurrency', '4', ...extra], env);
}

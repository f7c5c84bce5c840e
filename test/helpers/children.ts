import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { onTestFinished } from 'vitest';
import { ROOT } from './paths.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface Child {
  proc: ChildProcessWithoutNullStreams;
  pid: number;
  /** Resolves once the process has exited (and was reaped) and its output is closed. */
  exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
}

/**
 * `node --import tsx <args>` in the project folder, with its output collected.
 * `env` is laid over this process's environment; a variable set to undefined
 * there is removed. Killed with SIGKILL when the test ends if still running.
 */
export function spawnTs(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  return spawnNode(['--import', 'tsx', ...args], env);
}

/** `node <args>` in the project folder, as spawnTs but without the TypeScript loader (for bundled fixtures). */
export function spawnNode(args: string[], env: NodeJS.ProcessEnv = {}): Child {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete childEnv[name];
  const proc = spawn(process.execPath, args, { cwd: ROOT, env: childEnv, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  proc.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<Exit>((resolve, reject) => {
    proc.once('error', reject);
    proc.once('close', (code, signal) => resolve({ code, signal }));
  });
  onTestFinished(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited.catch(() => undefined);
  });
  if (proc.pid === undefined) throw new Error(`could not spawn ${args.join(' ')}`);
  return { proc, pid: proc.pid, exited, stdout: () => out, stderr: () => err };
}

/** Resolves once the child's `stream` output contains `text` (woken by its data events); rejects if it exits first. */
export function untilOutput(child: Child, stream: 'stdout' | 'stderr', text: string): Promise<void> {
  const read = stream === 'stdout' ? child.stdout : child.stderr;
  const source = stream === 'stdout' ? child.proc.stdout : child.proc.stderr;
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!read().includes(text)) return;
      source.off('data', check);
      resolve();
    };
    source.on('data', check);
    void child.exited.then(({ code, signal }) => {
      source.off('data', check);
      if (!read().includes(text))
        reject(
          new Error(`exited (${code ?? signal}) before its ${stream} said ${JSON.stringify(text)}:\n${child.stdout()}\n${child.stderr()}`),
        );
    });
    check();
  });
}

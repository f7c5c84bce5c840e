import { execa } from 'execa';
import { ROOT } from './paths.js';

export interface CliRun {
  code: number | undefined;
  stdout: string;
  stderr: string;
}

/**
 * Run this repository's tasks.ts in a child node (under tsx), as a user runs the command.
 * `timeoutMs` only ends a child that hangs; no assertion depends on how long it took.
 */
export async function runTasks(
  args: readonly string[],
  options: { env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<CliRun> {
  const r = await execa(process.execPath, ['--import', 'tsx', 'tasks.ts', ...args], {
    cwd: ROOT,
    reject: false,
    stdin: 'ignore',
    timeout: options.timeoutMs ?? 20_000,
    ...(options.env ? { env: options.env } : {}),
  });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

import { main } from '../../src/cli/main.js';
import { ROOT } from './paths.js';

/** Run the CLI's `main` in this process (no child start-up cost), collecting what it prints. */
export async function runMain(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (l) => out.push(l), err: (l) => err.push(l), cwd: ROOT, signal: new AbortController().signal });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

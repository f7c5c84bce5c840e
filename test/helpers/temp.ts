import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished, type TestContext } from 'vitest';

/**
 * A fresh temp folder, removed when the current test finishes. Concurrent
 * tests pass their own context, whose onTestFinished is the one to use there.
 */
export async function tempDir(prefix = 'groundwork-test-', ctx?: Pick<TestContext, 'onTestFinished'>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const remove = () => rm(dir, { recursive: true, force: true });
  if (ctx) ctx.onTestFinished(remove);
  else onTestFinished(remove);
  return dir;
}

/** A `state.json` path in a fresh temp folder (removed when the current test finishes). */
export async function tempStateFile(prefix?: string): Promise<string> {
  return join(await tempDir(prefix), 'state.json');
}

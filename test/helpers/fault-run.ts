// Running test/fixtures/faults/pipeline.ts (bundled) as a child process.
import { readFileSync, watch } from 'node:fs';
import { dirname } from 'node:path';
import { faultGroups } from '../fixtures/faults/pipeline-groups.js';
import { afterAll, beforeAll } from 'vitest';
import { bundleFixture, type Bundle } from './bundle.js';
import { spawnNode, type Child } from './children.js';

export const GROUPS = 12;

/** dependsOn of each group of the fault pipeline. */
export function faultDeps(count = GROUPS): Record<string, string[]> {
  return Object.fromEntries(faultGroups(count, '').map((g) => [g.name, g.dependsOn ?? []]));
}

export function runPipeline(
  script: string,
  stateFile: string,
  logFile: string,
  mode: 'provision' | 'teardown',
  options: { groups?: number; compactAfterBytes?: number; failpoint?: string } = {},
): Child {
  const args = [script, stateFile, logFile, mode, String(options.groups ?? GROUPS)];
  if (options.compactAfterBytes) args.push(String(options.compactAfterBytes));
  return spawnNode(args, { GROUNDWORK_FAILPOINT: options.failpoint });
}

/** Resolves true once the log has `count` lines, or false when `signal` aborts first. Woken by fs.watch. */
export function whenLogHas(logFile: string, count: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const lines = () => {
      try {
        return readFileSync(logFile, 'utf8').split('\n').length - 1;
      } catch {
        return 0;
      }
    };
    const watcher = watch(dirname(logFile), () => check());
    const done = (value: boolean) => {
      watcher.close();
      signal.removeEventListener('abort', onAbort);
      resolve(value);
    };
    const onAbort = () => done(false);
    const check = () => {
      if (lines() >= count) done(true);
    };
    signal.addEventListener('abort', onAbort);
    check();
  });
}

/** A small seeded PRNG (mulberry32), so a failing kill sequence can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Bundle the fault pipeline before the file's tests and remove it after; returns the path getter. */
export function bundledPipeline(): () => string {
  let bundle: Bundle | undefined;
  beforeAll(async () => {
    bundle = await bundleFixture('faults/pipeline.ts');
  });
  afterAll(() => bundle?.remove());
  return () => bundle!.script;
}

// `groundwork/vitest`: the vitest globalSetup helper, and the type of `inject('groundwork')`.
import type {} from 'vitest';
import { bringUpCluster } from './cluster-hooks.js';
import type { ClusterOptions } from './options.js';
import type { GroundworkOutputs } from './outputs.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Final outputs of the groups provisioned by groundworkGlobalSetup, by group name. */
    groundwork: GroundworkOutputs;
  }
}

export type { GroundworkOutputs } from './outputs.js';
export type GlobalSetupOptions = ClusterOptions;

/** The part of vitest's TestProject a globalSetup uses. */
interface ProvideTarget {
  provide(key: 'groundwork', value: Record<string, unknown>): void; // a method: vitest's narrower one fits
}

/**
 * A vitest `globalSetup` function: provisions the groups the tests name,
 * hands their outputs to the tests (`inject('groundwork')`, typed by
 * {@link GroundworkOutputs}), and tears them down afterwards. vitest skips
 * that teardown on SIGINT/SIGTERM, so groups left in the state by such a run
 * are torn down (or, with `keep`, reused) at the start of the next one.
 */
export function groundworkGlobalSetup(options: GlobalSetupOptions = {}) {
  return async function setup(project: ProvideTarget): Promise<() => Promise<void>> {
    const cluster = await bringUpCluster(options, 'groundworkGlobalSetup');
    project.provide('groundwork', cluster.outputs);
    return cluster.teardown;
  };
}

// `groundwork/node-test`: the cluster for a node:test suite, from `before`/`after` or `await using`.
import { bringUpCluster } from './cluster-hooks.js';
import type { ClusterOptions } from './options.js';
import type { GroundworkOutputs } from './outputs.js';

export type { ClusterOptions } from './options.js';
export type { GroundworkOutputs } from './outputs.js';

/** The groups a test suite uses; dispose of it (or call `teardown`) when the tests are done. */
export interface Cluster<T extends object = GroundworkOutputs> extends AsyncDisposable {
  /** Final outputs of the groups, by group name. */
  readonly outputs: T;
  /** Tears the groups down (not with keep); a second call does nothing. */
  teardown(): Promise<void>;
}

/**
 * Provisions the groups the tests name and returns their outputs, tearing down
 * first what an interrupted earlier run left in the state (with `keep`, reusing it).
 *
 * ```ts
 * let cluster: Cluster;
 * before(async () => { cluster = await useCluster({ groups: ['app'] }); });
 * after(() => cluster.teardown());
 * ```
 */
export async function useCluster<T extends object = GroundworkOutputs>(options: ClusterOptions = {}): Promise<Cluster<T>> {
  const brought = await bringUpCluster(options, 'useCluster');
  let done: Promise<void> | undefined;
  const teardown = () => (done ??= brought.teardown());
  return {
    outputs: brought.outputs as T,
    teardown,
    [Symbol.asyncDispose]: teardown,
  };
}

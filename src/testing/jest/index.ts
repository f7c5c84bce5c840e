// `groundwork/jest`: what a Jest test reads. The hooks are `groundwork/jest/setup` and `groundwork/jest/teardown`.
import type { GroundworkOutputs } from '../outputs.js';
import { readOutputs } from './outputs-file.js';

export type { GroundworkOutputs } from '../outputs.js';
export type { JestProjectConfig } from './options.js';

/**
 * The final outputs of the groups `groundwork/jest/setup` provisioned, by group
 * name (as JSON). Typed by {@link GroundworkOutputs} unless `T` is given.
 */
export function groundworkOutputs<T extends object = GroundworkOutputs>(): T {
  return readOutputs() as T;
}

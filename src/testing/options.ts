import type { GroundworkConfig } from '../config/define.js';
import type { Logger } from '../logger.js';

/** What every test-runner hook (vitest, Jest, node:test) takes. */
export interface ClusterOptions {
  /** Config file path or object (default `groundwork.config.ts` in the current folder). */
  config?: string | GroundworkConfig;
  /** Groups the tests need (with their dependencies); default all. */
  groups?: string[];
  /** Override the config's state file. */
  stateFile?: string;
  /**
   * Keep groups between runs for a fast feedback loop: they are not torn down
   * at the end, and the next run reuses what is already provisioned.
   * Default: the GROUNDWORK_KEEP environment variable is `1`.
   */
  keep?: boolean;
  logger?: Logger;
  /** Aborting cancels the bring-up or teardown in flight. */
  signal?: AbortSignal;
}

/** `keep` as given, else GROUNDWORK_KEEP=1. */
export function keepOf(options: ClusterOptions): boolean {
  return options.keep ?? process.env.GROUNDWORK_KEEP === '1';
}

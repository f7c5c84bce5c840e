import type { DriverRegistry } from '../drivers/registry.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { Provisioner } from '../provisioners/contract.js';
import type { ProvisionerRegistry } from '../serialize/registry.js';
import type { StateStore } from '../state/store.js';

export interface SchedulerOptions {
  /** State file path (default `.groundwork/state.json`); ignored when `store` is given. */
  stateFile?: string;
  store?: StateStore;
  /** Provisioner classes that snapshots may name (default: the process-wide registry `registerProvisioner` fills). */
  registry?: ProvisionerRegistry;
  /** Machine drivers by URL scheme, handed to provisioners as `ctx.drivers` (default: the process-wide registry `registerDriver` fills). */
  drivers?: DriverRegistry;
  /** Groups provisioned or torn down at once (default 8). `1` is the serial mode. */
  concurrency?: number;
  logger?: Logger;
  /** Source of recorded times and durations (default: the system clock); the state file's own `store` takes its clock from its options. */
  clock?: Clock;
}

export interface GroupSpec {
  name: string;
  /**
   * The provisioners, or a function that makes them: called to schedule a group not in the state yet,
   * and also for a group in the state by `drift()`/`replaceDrifted()` (and `provision`), to compare;
   * so it should only build objects, with no side effects.
   */
  provisioners: Provisioner[] | (() => Provisioner[]);
  dependsOn?: string[];
}

export interface RunOptions {
  /** Groups to provision, with their dependencies (default: all). */
  groups?: readonly string[];
  /** Aborting cancels the steps in flight (their provisioners see it through ctx.signal). */
  signal?: AbortSignal;
  /** Aborting stops gracefully: nothing new starts, steps in flight finish and are recorded. */
  stopSignal?: AbortSignal;
}

export interface DeprovisionOptions {
  force?: boolean;
  /** Deprovision the groups that depend on it first. */
  cascade?: boolean;
  /** Aborting cancels the steps in flight (their provisioners see it through ctx.signal). */
  signal?: AbortSignal;
  /** Aborting stops gracefully: nothing new starts, steps in flight finish and are recorded. */
  stopSignal?: AbortSignal;
}

export interface TeardownOptions {
  except?: readonly string[];
  force?: boolean;
  /** Aborting cancels the steps in flight (their provisioners see it through ctx.signal). */
  signal?: AbortSignal;
  /** Aborting stops gracefully: nothing new starts, steps in flight finish and are recorded. */
  stopSignal?: AbortSignal;
}

export interface ReplaceOptions {
  /** Go on through failed shutdowns of the groups being replaced. */
  force?: boolean;
  /** Aborting cancels the steps in flight (their provisioners see it through ctx.signal). */
  signal?: AbortSignal;
  /** Aborting stops gracefully: nothing new starts, steps in flight finish and are recorded. */
  stopSignal?: AbortSignal;
}

export interface WaitForOptions {
  groups: readonly string[];
  /** Stop waiting (reject with its reason) when it aborts. */
  signal?: AbortSignal;
}

import type { ActionHandler } from './action-handler.js';
import type { DriverRegistry } from '../drivers/registry.js';
import type { Logger } from '../logger.js';

/** What the scheduler hands to every startup and shutdown call. */
export interface ProvisionerContext {
  /** The server group this provisioner belongs to. */
  readonly group: string;
  /** Zero-based position of the provisioner in its group's pipeline. */
  readonly step: number;
  /** Aborted when the run is cancelled; pass it to every long operation. */
  readonly signal: AbortSignal;
  readonly logger: Logger;
  /** The final output of each group this group depends on, by group name. */
  readonly dependencies: Readonly<Record<string, unknown>>;
  /** A folder next to the state file where provisioners may keep files (logs, keys). */
  readonly dataDir: string;
  /** The state's id: tag what you create with it, and refuse to destroy what carries another. */
  readonly stateId: string;
  /** Reports actions and progress; in why-run mode (`provision --dry-run`) it performs nothing. */
  readonly actions: ActionHandler;
  /** The scheduler's machine drivers by URL scheme (`SchedulerOptions.drivers`). */
  readonly drivers: DriverRegistry;
  /**
   * Persist this provisioner's fields now, durably, so that an id obtained
   * half-way through a startup survives a crash ("record state as early as possible").
   */
  checkpoint(): Promise<void>;
}

/**
 * The provisioner contract. Instances are snapshotted field by field, so their
 * class must be registered with `registerProvisioner` and their fields must be
 * plain data (or other registered classes).
 */
export interface Provisioner<Input = unknown, Output = unknown> {
  /** The server group's name; set by the scheduler when it takes the provisioner. */
  name: string;
  /** Create something. Must return a truthy value for the group to go on. */
  startup(input: Input, ctx: ProvisionerContext): Output | Promise<Output>;
  /** Undo it. Must return a truthy value unless the deprovision is forced. */
  shutdown(ctx: ProvisionerContext): unknown;
  /** Why-run: describe what startup would do through `ctx.actions` (a why-run handler). Optional. */
  plan?(ctx: ProvisionerContext): void | Promise<void>;
  /** Lines shown in status output. */
  report(): string[];
  /** Called after revival from a snapshot (the constructor is not called); also for status, so no side effects. */
  revive?(): void;
  /**
   * Health on reuse: is what startup made still there and working? Called on a
   * revived provisioner of a provisioned group (kept runs, `provision`); a failed
   * check replaces the group. Must be cheap and quick (it is bounded, default 2 s,
   * through `ctx.signal`) and change nothing: `ctx.checkpoint` is not available. Optional.
   */
  check?(ctx: ProvisionerContext): Promise<CheckResult> | CheckResult;
}

/** What `check` found: healthy, or why not (shown to the user, e.g. "pid 4121 is gone"). */
export type CheckResult = { ok: true } | { ok: false; reason: string };

/** A class whose instances can be provisioners. `transient` fields are not saved. */
export interface ProvisionerClass {
  new (...args: any[]): Provisioner<any, any>;
  readonly name: string;
  readonly transient?: readonly string[];
}

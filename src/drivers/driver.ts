import type { Logger } from '../logger.js';
import type { Machine } from '../machines/machine.js';
import type { MachineOptions, MachineSpec } from './machine-spec.js';

/**
 * How a driver reports what it does (chef-provisioning's ActionHandler; the
 * provisioner's `ctx.actions` is one). In why-run mode `performAction` only
 * describes the change and does not call `fn`.
 */
export interface DriverActions {
  readonly whyRun: boolean;
  performAction<T>(description: string, fn: () => T | Promise<T>): Promise<T | undefined>;
  reportProgress(message: string): void;
  /** The same reporter, its lines prefixed with the machine's name. */
  forMachine(name: string): DriverActions;
}

/** Private keys by name; never their text in the state or the logs. */
export interface KeyLookup {
  privateKey(name: string): string | Promise<string>;
}

/** What a driver call needs besides the machine: passed down, never global. */
export interface DriverContext {
  /** This state's id: written into every reference as its owner, checked before destroy. */
  readonly ownerId: string;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly keys: KeyLookup;
  /** Persist `spec.reference` durably now (the provisioner's checkpoint). */
  record(spec: MachineSpec): Promise<void>;
  /** Destroy machines whose reference carries another state's id. */
  readonly force?: boolean;
}

/** One machine and its options, as the batch forms take them. */
export interface MachineRequest {
  readonly spec: MachineSpec;
  readonly options: MachineOptions;
}

/** The outcome of one machine in a batch. */
export type BatchResult<T> =
  | { readonly machine: string; readonly ok: true; readonly value: T }
  | { readonly machine: string; readonly ok: false; readonly error: unknown };

/**
 * A machine warehouse (chef-provisioning's Driver), identified by its
 * canonical URL. Every method is idempotent: a reference whose machine is
 * gone is recreated, and a create cut short by a crash is found again by its
 * deterministic name instead of being duplicated.
 */
export interface Driver {
  /** Canonical URL, stored in every reference. */
  readonly driverUrl: string;
  /** How many machines the batch forms work on at once. */
  readonly concurrency: number;
  /** Reserve the machine quickly and record its reference (`ctx.record`) before returning. */
  allocateMachine(action: DriverActions, spec: MachineSpec, options: MachineOptions, ctx: DriverContext): Promise<void>;
  /** Bring it up until it is connectable; the caller closes the Machine. */
  readyMachine(action: DriverActions, spec: MachineSpec, options: MachineOptions, ctx: DriverContext): Promise<Machine>;
  /** Power it off (or the equivalent); it can be readied again. */
  stopMachine(action: DriverActions, spec: MachineSpec, ctx: DriverContext): Promise<void>;
  /** Get rid of it and clear `spec.reference`. Refuses another state's machine unless `ctx.force`. */
  destroyMachine(action: DriverActions, spec: MachineSpec, ctx: DriverContext): Promise<void>;
  /** Connect to a ready machine; no side effects. */
  connectToMachine(spec: MachineSpec, ctx: DriverContext): Promise<Machine>;
  /** Batch forms: default fan-out (see batch.ts) unless the driver has a better way. */
  allocateMachines?(action: DriverActions, requests: readonly MachineRequest[], ctx: DriverContext): Promise<BatchResult<void>[]>;
  readyMachines?(action: DriverActions, requests: readonly MachineRequest[], ctx: DriverContext): Promise<BatchResult<Machine>[]>;
  stopMachines?(action: DriverActions, specs: readonly MachineSpec[], ctx: DriverContext): Promise<BatchResult<void>[]>;
  destroyMachines?(action: DriverActions, specs: readonly MachineSpec[], ctx: DriverContext): Promise<BatchResult<void>[]>;
  /** Lines describing what allocate + ready would do, for `provision --dry-run` (why-run `action`). */
  planMachine?(action: DriverActions, spec: MachineSpec, options: MachineOptions, ownerId: string): Promise<void>;
  /** Remove machines tagged with `ownerId` that no reference owns; returns what it found (and, unless `dryRun`, removed). */
  reap?(ownerId: string, owned: ReadonlySet<string>, options: { dryRun: boolean; signal: AbortSignal }): Promise<string[]>;
  /** Check what the driver needs on this host (tools, permissions, files); no side effects. */
  preflight?(): Promise<PreflightCheck[]>;
}

/** One thing a driver needs on this host, checked before a run allocates anything (and by `groundwork doctor`). */
export interface PreflightCheck {
  /** What was checked: "running as root", "OpenSSH sshd at /usr/sbin/sshd". */
  readonly what: string;
  readonly ok: boolean;
  /** When not ok: what to do about it ("apt-get install openssh-server, or run scripts/ensure-sshd.sh"). */
  readonly fix?: string;
}

/** Makes a driver for a URL of its scheme. `config` is the driver's settings (plain data). */
export type DriverFactory = (url: string, config: Readonly<Record<string, unknown>>) => Driver;

import {
  ConfigError,
  GroupFailedError,
  HasDependentsError,
  SchedulerBusyError,
  UnknownGroupError,
  type ShutdownFailedError,
} from '../errors.js';
import { SchedulerEvents, type SchedulerEventName, type SchedulerEventSource, type SchedulerListener } from '../events.js';
import { defaultDriverRegistry, type DriverRegistry } from '../drivers/registry.js';
import { systemClock, type Clock } from '../clock.js';
import { silentLogger, type Logger } from '../logger.js';
import type { Provisioner } from '../provisioners/contract.js';
import { defaultRegistry } from '../serialize/default-registry.js';
import type { ProvisionerRegistry } from '../serialize/registry.js';
import { DEFAULT_STATE_FILE, JsonFileStore } from '../state/file-store.js';
import { Ledger } from '../state/ledger.js';
import type { StateStore } from '../state/store.js';
import type { GroupRecord } from '../state/types.js';
import { driftOf, type DriftReport } from './drift.js';
import { dependentClosure, toMermaid } from './graph.js';
import type {
  DeprovisionOptions,
  GroupSpec,
  ReplaceOptions,
  RunOptions,
  SchedulerOptions,
  TeardownOptions,
  WaitForOptions,
} from './options.js';
import { planGroups } from './plan.js';
import { provisionRun, type RunSummary } from './provision-run.js';
import { replaceRun, type ReplaceSummary } from './replace-run.js';
import { finalOutput, type Runtime } from './runtime.js';
import { waitForGroups } from './wait-for.js';
import { checkGroups, type CheckOptions, type UnhealthyStep } from './health.js';
import { deprovisionGroup } from './shutdown.js';
import { groupStatus, type GroupStatus } from './status.js';
import { teardownRun, type TeardownSummary } from './teardown-run.js';

/**
 * Schedules server groups and provisions/deprovisions them against a state
 * store. It wires the modules together: graph ordering (graph.ts, dag-runner.ts),
 * one group's pipeline (pipeline.ts, shutdown.ts) and persistence (state/).
 */
export class Scheduler implements AsyncDisposable {
  /** Listen to what the scheduler does (`on`/`off`); only the scheduler emits. */
  readonly events: SchedulerEventSource;
  readonly concurrency: number;
  readonly #rt: Runtime;
  readonly #store: StateStore;
  /** The run/deprovision/teardown under way, if any: they would race on the same groups. */
  #operation: string | undefined;

  private constructor(
    store: StateStore,
    ledger: Ledger,
    registry: ProvisionerRegistry,
    drivers: DriverRegistry,
    events: SchedulerEvents,
    logger: Logger,
    concurrency: number,
    clock: Clock,
  ) {
    this.#store = store;
    this.events = events.source;
    this.concurrency = concurrency;
    this.#rt = { ledger, registry, drivers, events, logger, clock };
  }

  /** Open (and lock) the state and return a scheduler on it. */
  static async open(options: SchedulerOptions = {}): Promise<Scheduler> {
    const concurrency = options.concurrency ?? 8;
    if (!(Number.isInteger(concurrency) && concurrency >= 1) && concurrency !== Number.POSITIVE_INFINITY) {
      throw new ConfigError(`Expected \`concurrency\` to be an integer from 1 upwards, got ${JSON.stringify(concurrency)}.`);
    }
    const logger = options.logger ?? silentLogger;
    const clock = options.clock ?? systemClock;
    const store = options.store ?? new JsonFileStore(options.stateFile ?? DEFAULT_STATE_FILE, { logger, clock });
    const data = await store.open();
    return new Scheduler(
      store,
      new Ledger(store, data),
      options.registry ?? defaultRegistry(),
      options.drivers ?? defaultDriverRegistry(),
      new SchedulerEvents(logger),
      logger,
      concurrency,
      clock,
    );
  }

  get stateFile(): string {
    return this.#rt.ledger.location;
  }

  get stateId(): string {
    return this.#rt.ledger.id;
  }

  on<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): () => void {
    return this.events.on(event, listener);
  }

  /** Group names in the state, in scheduling order. */
  groups(): string[] {
    return this.#rt.ledger.names();
  }

  /**
   * Schedule one group. Returns false (and changes nothing) if a group of that
   * name is already in the state: its saved provisioners are what resume.
   */
  async schedule(name: string, provisioners: Provisioner[], options: { dependsOn?: string[] } = {}): Promise<boolean> {
    const added = await this.scheduleAll([{ name, provisioners, dependsOn: options.dependsOn ?? [] }]);
    return added.length === 1;
  }

  /**
   * Schedule several groups atomically (one write), validating the whole graph:
   * unknown dependencies, self-dependencies and cycles are refused. Groups
   * already in the state are left as they are. Returns the names added.
   */
  async scheduleAll(specs: readonly GroupSpec[]): Promise<string[]> {
    const records = planGroups(this.#rt, specs);
    if (records.length > 0) await this.#rt.ledger.add(records);
    return records.map((r) => r.name);
  }

  /** Provision the scheduled groups (or `groups` and their dependencies). Never throws for a failed provisioner: see the summary. */
  async run(options: RunOptions = {}): Promise<RunSummary> {
    for (const name of options.groups ?? []) this.#require(name);
    return this.#exclusive('run', () =>
      provisionRun(this.#rt, {
        ...(options.groups ? { targets: options.groups } : {}),
        concurrency: this.concurrency,
        signal: options.signal ?? new AbortController().signal,
        ...(options.stopSignal ? { stop: options.stopSignal } : {}),
      }),
    );
  }

  /**
   * Resolves when all `groups` are provisioned; rejects at once if one failed,
   * is blocked, or was never scheduled. With `{ groups, signal }`, also rejects
   * (with the signal's reason) when the signal aborts.
   */
  waitFor(...groups: string[]): Promise<void>;
  waitFor(options: WaitForOptions): Promise<void>;
  waitFor(...args: [WaitForOptions] | string[]): Promise<void> {
    const [first] = args;
    if (typeof first === 'object') return waitForGroups(this.#rt, first.groups, first.signal);
    return waitForGroups(this.#rt, args as string[]);
  }

  /** The final output of a provisioned group (its last startup's return value). */
  output(group: string): unknown {
    return finalOutput(this.#rt, this.#require(group));
  }

  /**
   * Deprovision one or more groups: each group's shutdowns in reverse order,
   * then it leaves the state; several groups go dependents first. Refused while
   * groups outside the set depend on them, unless `cascade` (which adds those).
   * Returns the shutdown failures gone past with `force`.
   */
  async deprovision(groups: string | readonly string[], options: DeprovisionOptions = {}): Promise<ShutdownFailedError[]> {
    const names = typeof groups === 'string' ? [groups] : [...groups];
    for (const name of names) this.#require(name);
    return this.#exclusive('deprovision', () => this.#deprovision(names, options));
  }

  async #deprovision(names: string[], options: DeprovisionOptions): Promise<ShutdownFailedError[]> {
    const { ledger } = this.#rt;
    const signal = options.signal ?? new AbortController().signal;
    const force = options.force ?? false;
    const targets = options.cascade ? dependentClosure(names, ledger.records()) : new Set(names);
    for (const name of targets) {
      const outside = ledger.dependentsOf(name).filter((d) => !targets.has(d));
      if (outside.length > 0) throw new HasDependentsError(name, outside);
    }
    const [only] = targets;
    if (targets.size === 1) return deprovisionGroup(this.#rt, only!, { force, signal });
    // Several groups: the teardown mechanism orders them, dependents first.
    const stop = options.stopSignal ? { stop: options.stopSignal } : {};
    const summary = await teardownRun(this.#rt, { groups: [...targets], force, concurrency: this.concurrency, signal, ...stop });
    const failed = summary.failed[0];
    if (failed) throw new GroupFailedError(`Deprovision of ${names.join(', ')} stopped: ${failed.error}`, failed.group);
    return summary.forcedFailures;
  }

  /** Deprovision every group but `except` (and what they need), dependents first, independent ones in parallel. */
  async teardown(options: TeardownOptions = {}): Promise<TeardownSummary> {
    for (const name of options.except ?? []) this.#require(name);
    return this.#exclusive('teardown', () =>
      teardownRun(this.#rt, {
        ...(options.except ? { except: options.except } : {}),
        force: options.force ?? false,
        concurrency: this.concurrency,
        signal: options.signal ?? new AbortController().signal,
        ...(options.stopSignal ? { stop: options.stopSignal } : {}),
      }),
    );
  }

  /**
   * The groups of `specs` already in the state whose provisioners, as
   * `provisioners()` builds them now, differ from those they were scheduled
   * with (class ids and constructor-given fields). This calls `provisioners()`
   * for groups in the state. Groups recorded before fingerprints existed report no drift.
   */
  drift(specs: readonly GroupSpec[]): DriftReport[] {
    return driftOf(specs, (name) => this.#rt.ledger.get(name), this.#rt.registry);
  }

  /**
   * Replace `groups` whether or not they drifted: deprovision them and every
   * group depending on them (dependents first), schedule them again with what
   * their spec in `specs` builds now, and provision them in dependency order.
   * Dependents without a spec are only deprovisioned. Throws GroupFailedError
   * if a deprovision fails (nothing is scheduled again then); a failed
   * provisioning is in the summary's `run`.
   */
  async replace(groups: readonly string[], specs: readonly GroupSpec[], options: ReplaceOptions = {}): Promise<ReplaceSummary> {
    for (const name of groups) this.#require(name);
    return this.#exclusive('replace', () =>
      replaceRun(this.#rt, groups, specs, {
        force: options.force ?? false,
        concurrency: this.concurrency,
        signal: options.signal ?? new AbortController().signal,
        ...(options.stopSignal ? { stop: options.stopSignal } : {}),
      }),
    );
  }

  /** Replace (as `replace`) the groups of `specs` that drifted; with none, nothing changes and `replaced` is undefined. */
  async replaceDrifted(
    specs: readonly GroupSpec[],
    options: ReplaceOptions = {},
  ): Promise<{ drift: DriftReport[]; replaced: ReplaceSummary | undefined }> {
    const drift = this.drift(specs);
    if (drift.length === 0) return { drift, replaced: undefined };
    return { drift, replaced: await this.replace(drift.map((d) => d.group), specs, options) };
  }

  /**
   * Health on reuse: run the `check` of every step of the provisioned groups
   * among `groups` (default: all), in parallel, each bounded (default 2 s).
   * Returns the first failing step of each unhealthy group (also emitted as `group:unhealthy`).
   */
  async checkHealth(groups?: readonly string[], options: CheckOptions = {}): Promise<UnhealthyStep[]> {
    for (const name of groups ?? []) this.#require(name);
    return this.#exclusive('check', () => checkGroups(this.#rt, groups, options));
  }

  /**
   * Check the groups of `specs` (or `options.groups`) already provisioned (as `checkHealth`) and
   * replace the unhealthy ones (as `replace`, from `specs`: with what depends on them); with
   * none unhealthy, nothing changes and `replaced` is undefined.
   */
  async repairUnhealthy(
    specs: readonly GroupSpec[],
    options: ReplaceOptions & CheckOptions & { groups?: readonly string[] } = {},
  ): Promise<{ unhealthy: UnhealthyStep[]; replaced: ReplaceSummary | undefined }> {
    const inState = (options.groups ?? specs.map((s) => s.name)).filter((name) => this.#rt.ledger.get(name));
    const unhealthy = await this.checkHealth(inState, { ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    if (unhealthy.length === 0) return { unhealthy, replaced: undefined };
    return { unhealthy, replaced: await this.replace(unhealthy.map((u) => u.group), specs, options) };
  }

  status(): GroupStatus[] {
    return this.#rt.ledger.records().map((r) => groupStatus(r, this.#rt.registry));
  }

  /** Mermaid text of the groups in the state and their dependencies. */
  graph(): string {
    return toMermaid(this.#rt.ledger.records());
  }

  /**
   * Release the state (its lock). Refused with SchedulerBusyError while a
   * run(), deprovision() or teardown() is under way (closing under it would
   * release the lock while it still writes): await it first, or abort it
   * through its signal and then await it.
   */
  async close(): Promise<void> {
    if (this.#operation) throw new SchedulerBusyError(this.#operation, 'close');
    this.#operation = 'close'; // and nothing starts while the store closes
    try {
      await this.#store.close();
    } finally {
      this.#operation = undefined;
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #exclusive<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    if (this.#operation) throw new SchedulerBusyError(this.#operation, operation);
    this.#operation = operation;
    try {
      const result = await fn();
      // A failed write leaves memory ahead of the disk: that error, not a result built on memory, is the outcome.
      if (this.#rt.ledger.broken) throw this.#rt.ledger.broken;
      return result;
    } finally {
      this.#operation = undefined;
    }
  }

  #require(name: string): GroupRecord {
    const record = this.#rt.ledger.get(name);
    if (!record) throw new UnknownGroupError(name, this.#rt.ledger.names());
    return record;
  }
}

import type { DriverRegistry } from '../drivers/registry.js';
import type { SchedulerEvents } from '../events.js';
import { prefixLogger, type Logger } from '../logger.js';
import { ActionHandler } from '../provisioners/action-handler.js';
import type { ProvisionerContext } from '../provisioners/contract.js';
import { reviveValue } from '../serialize/codec.js';
import type { ProvisionerRegistry } from '../serialize/registry.js';
import type { Ledger } from '../state/ledger.js';
import { StepState, type ErrorRecord, type GroupRecord } from '../state/types.js';
import type { GroundworkError } from '../errors.js';
import type { Clock } from '../clock.js';

/** What the pipeline and teardown modules share: passed down, never global. */
export interface Runtime {
  ledger: Ledger;
  registry: ProvisionerRegistry;
  drivers: DriverRegistry;
  events: SchedulerEvents;
  logger: Logger;
  /** Every recorded time and duration comes from here. */
  clock: Clock;
}

/** The output of a group's last step, revived from the snapshot. */
export function finalOutput(rt: Runtime, group: GroupRecord): unknown {
  const last = group.steps[group.steps.length - 1];
  return last?.state === StepState.Done && last.output ? reviveValue(last.output, rt.registry) : undefined;
}

/** Final outputs of the groups `group` depends on, by name. */
export function dependencyOutputs(rt: Runtime, group: GroupRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of group.dependsOn) {
    const dep = rt.ledger.get(name);
    if (dep) out[name] = finalOutput(rt, dep);
  }
  return Object.freeze(out);
}

export function makeContext(
  rt: Runtime,
  where: { group: string; step: number; provisioner: string },
  signal: AbortSignal,
  dependencies: Record<string, unknown>,
  checkpoint: () => Promise<void>,
): ProvisionerContext {
  const parts = { logger: rt.logger, drivers: rt.drivers, dataDir: rt.ledger.dataDir, stateId: rt.ledger.id };
  return stepContext(parts, where, signal, dependencies, checkpoint);
}

/** What a step's ctx is made of besides the step itself: the ledger's in one process, a worker's own in worker mode. */
export interface ContextParts {
  logger: Logger;
  drivers: DriverRegistry;
  dataDir: string;
  stateId: string;
}

/** The one place a ProvisionerContext is built (the pipeline, shutdowns, and the workers of src/workers/). */
export function stepContext(
  parts: ContextParts,
  where: { group: string; step: number; provisioner: string },
  signal: AbortSignal,
  dependencies: Record<string, unknown>,
  checkpoint: () => Promise<void>,
): ProvisionerContext {
  const logger = prefixLogger(parts.logger, `[${where.group} ${where.step + 1}:${where.provisioner}]`);
  return {
    group: where.group,
    step: where.step,
    signal,
    logger,
    dependencies,
    dataDir: parts.dataDir,
    stateId: parts.stateId,
    actions: new ActionHandler({ logger }),
    drivers: parts.drivers,
    checkpoint,
  };
}

export function errorRecord(error: unknown, step?: number): ErrorRecord {
  const record: ErrorRecord = { message: error instanceof Error ? error.message : String(error) };
  const code = (error as Partial<GroundworkError> | null)?.code;
  if (typeof code === 'string') record.code = code;
  if (step !== undefined) {
    record.step = step;
    // A step's error wraps the provisioner's own: its stack is the one that helps (`-v` shows it).
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
    if (cause instanceof Error && cause.stack) record.stack = cause.stack;
  }
  return record;
}

/** A falsy return value, for messages ("an empty string" rather than nothing). */
export function describeFalsy(value: unknown): string {
  return value === '' ? 'an empty string' : String(value);
}

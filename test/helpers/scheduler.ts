// Test provisioners and helpers for the scheduler tests.
//
// Provisioners are revived from snapshots (no constructor call, fields only),
// so they cannot hold closures. Everything a test controls or observes lives
// in module-level maps keyed by the provisioner's `id` field:
// - `calls`: every startup/shutdown, in the order they were entered;
// - gates (`hold`): a deferred a startup/shutdown awaits before going on;
// - faults (`fault`): make a startup/shutdown throw or return a given value.
import { SCHEDULER_EVENTS } from '../../src/events.js';
import { expect } from 'vitest';
import {
  registerProvisioner,
  Scheduler,
  type Provisioner,
  type ProvisionerContext,
  type SchedulerEventMap,
  type SchedulerEventName,
} from '../../src/index.js';
import { tempStateFile } from './temp.js';
import { deferred, type Deferred } from './wait.js';

export type Op = 'startup' | 'shutdown';

export interface Call {
  op: Op;
  id: string;
  group: string;
  step: number;
  /** The startup's input (startup calls only). */
  input?: unknown;
  /** The GwResource's resourceId seen by the call. */
  resourceId?: string | null;
}

/** What a faulty startup/shutdown does instead of succeeding. */
export type Fault = { throws: string } | { returns: unknown };

/** Every startup and shutdown, in the order they were entered. */
export const calls: Call[] = [];
/** Startups in flight right now, and the most seen at once. */
export const flight = { now: 0, max: 0 };

const gates = new Map<string, Deferred<void>>();
const arrivals = new Map<string, Deferred<void>>();
const faults = new Map<string, Fault>();

const key = (op: Op, id: string) => `${op}:${id}`;

/** Clear every record, gate and fault (gates still held are released first). */
export function resetFixtures(): void {
  for (const gate of gates.values()) gate.resolve();
  gates.clear();
  arrivals.clear();
  faults.clear();
  calls.length = 0;
  flight.now = 0;
  flight.max = 0;
}

/** Make the next `op` of provisioner `id` wait until the returned deferred is resolved. */
export function hold(op: Op, id: string): Deferred<void> {
  const gate = deferred();
  gates.set(key(op, id), gate);
  return gate;
}

/** Resolves once `op` of provisioner `id` has been entered. */
export function entered(op: Op, id: string): Promise<void> {
  return arrival(key(op, id)).promise;
}

/** Make `op` of provisioner `id` throw or return a value (until `clearFault`). */
export function fault(op: Op, id: string, what: Fault): void {
  faults.set(key(op, id), what);
}

export function clearFault(op: Op, id: string): void {
  faults.delete(key(op, id));
}

/** Ids of the calls of kind `op`, in order (optionally only those of `group`). */
export function callIds(op: Op, group?: string): string[] {
  return calls.filter((c) => c.op === op && (group === undefined || c.group === group)).map((c) => c.id);
}

function arrival(k: string): Deferred<void> {
  let d = arrivals.get(k);
  if (!d) arrivals.set(k, (d = deferred()));
  return d;
}

/** Record the call, wait on its gate if any, then apply its fault if any. */
async function perform(op: Op, id: string, call: Call, success: unknown): Promise<unknown> {
  calls.push(call);
  arrival(key(op, id)).resolve();
  const gate = gates.get(key(op, id));
  if (gate) {
    await gate.promise;
    gates.delete(key(op, id));
  }
  const f = faults.get(key(op, id));
  if (f) {
    if ('throws' in f) throw new Error(f.throws);
    return f.returns;
  }
  return success;
}

/**
 * A plain step: records its calls, returns `{ from: id }` from startup and
 * true from shutdown unless a fault says otherwise. With `pause`, its startup
 * first writes a checkpoint (one durable write), so it stays in flight for a while.
 */
export class GwStep implements Provisioner {
  name = '';
  constructor(
    public id: string,
    public pause = false,
  ) {}

  async startup(input: unknown, ctx: ProvisionerContext): Promise<unknown> {
    flight.now++;
    flight.max = Math.max(flight.max, flight.now);
    try {
      if (this.pause) await ctx.checkpoint();
      return await perform('startup', this.id, { op: 'startup', id: this.id, group: ctx.group, step: ctx.step, input }, { from: this.id });
    } finally {
      flight.now--;
    }
  }

  shutdown(ctx: ProvisionerContext): Promise<unknown> {
    return perform('shutdown', this.id, { op: 'shutdown', id: this.id, group: ctx.group, step: ctx.step }, true);
  }

  report(): string[] {
    return [`step ${this.id}`, `pause: ${this.pause}`];
  }
}
registerProvisioner(GwStep, 'GwStep');

/**
 * Obtains a "resource id" half-way through its startup and checkpoints it
 * before going on (where a `hold('startup', id)` gate can keep it waiting).
 */
export class GwResource implements Provisioner {
  name = '';
  resourceId: string | null = null;
  constructor(public id: string) {}

  async startup(input: unknown, ctx: ProvisionerContext): Promise<unknown> {
    this.resourceId = `res-${this.id}`;
    await ctx.checkpoint();
    return perform(
      'startup',
      this.id,
      { op: 'startup', id: this.id, group: ctx.group, step: ctx.step, input, resourceId: this.resourceId },
      {
        resourceId: this.resourceId,
      },
    );
  }

  shutdown(ctx: ProvisionerContext): Promise<unknown> {
    return perform(
      'shutdown',
      this.id,
      { op: 'shutdown', id: this.id, group: ctx.group, step: ctx.step, resourceId: this.resourceId },
      true,
    );
  }

  report(): string[] {
    return [`resource ${this.resourceId ?? '(none)'}`];
  }
}
registerProvisioner(GwResource, 'GwResource');

/** `n` GwSteps whose ids are `${prefix}1` .. `${prefix}n`. */
export function steps(prefix: string, n: number): GwStep[] {
  return Array.from({ length: n }, (_, i) => new GwStep(`${prefix}${i + 1}`));
}

/** A state file path in a fresh temp folder (removed after the test). */
export async function newStateFile(): Promise<string> {
  return tempStateFile();
}

/** A scheduler on `file` that has run `specs` successfully; the calls made so far are cleared. */
export async function provisioned(file: string, specs: Parameters<Scheduler['scheduleAll']>[0], concurrency = 8): Promise<Scheduler> {
  const s = await Scheduler.open({ stateFile: file, concurrency });
  await s.scheduleAll(specs);
  expect((await s.run()).ok).toBe(true);
  calls.length = 0;
  return s;
}

/** The error `promise` rejects with; throws if it fulfils instead. */
export async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

export const EVENT_NAMES: readonly SchedulerEventName[] = SCHEDULER_EVENTS;

export interface Recorded {
  event: SchedulerEventName;
  group: string | undefined;
  step: number | undefined;
  payload: unknown;
}

/** Every event of `s` from now on, in emission order. */
export function recordEvents(s: Scheduler): Recorded[] {
  const out: Recorded[] = [];
  for (const event of EVENT_NAMES) {
    s.on(event, (payload) => {
      const p = payload as { group?: string; step?: number };
      out.push({ event, group: p.group, step: p.step, payload });
    });
  }
  return out;
}

/** `event:group` (or `event:group:step`) labels, handy for order assertions. */
export function labels(events: readonly Recorded[]): string[] {
  return events.map((e) => [e.event, e.group, e.step].filter((x) => x !== undefined).join(':'));
}

/** Resolves with the first `event` whose payload matches (subscribe before acting). */
export function nextEvent<E extends SchedulerEventName>(
  s: Scheduler,
  event: E,
  match: (payload: SchedulerEventMap[E]) => boolean = () => true,
): Promise<SchedulerEventMap[E]> {
  return new Promise((resolve) => {
    const off = s.on(event, (payload) => {
      if (!match(payload)) return;
      off();
      resolve(payload);
    });
  });
}

/**
 * Fail with `what` if `promise` has not settled within `ms`. A bound on how
 * long a test may hang when the behaviour under test is broken, never a way
 * to wait for something.
 */
export function within<T>(promise: Promise<T>, what: string, ms = 10_000): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * 'fulfilled', 'rejected' or 'pending': whether `promise` has already settled.
 * Only looks at what is settled by now (a microtask race, no timers).
 */
export async function settledState(promise: Promise<unknown>): Promise<'fulfilled' | 'rejected' | 'pending'> {
  const marker = {};
  try {
    const value = await Promise.race([promise, Promise.resolve(marker)]);
    return value === marker ? 'pending' : 'fulfilled';
  } catch {
    return 'rejected';
  }
}

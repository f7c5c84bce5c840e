import type { Logger } from './logger.js';

interface StepRef {
  group: string;
  /** Zero-based position of the provisioner in its group. */
  step: number;
  provisioner: string;
}

/** Every event the scheduler emits, with its payload. */
export interface SchedulerEventMap {
  'group:start': { group: string; resumeAt: number };
  'group:finish': { group: string; durationMs: number };
  'group:fail': { group: string; error: Error };
  /** A graceful stop: the group's steps so far are recorded and it is pending again, to continue at `nextStep`. */
  'group:stopped': { group: string; nextStep: number };
  'group:blocked': { group: string; blockedBy: string[] };
  /** Health on reuse: a provisioned group's step failed its `check` (the group is replaced next). */
  'group:unhealthy': StepRef & { reason: string };
  'step:start': StepRef & { resumed: boolean };
  'step:finish': StepRef & { durationMs: number };
  'step:fail': StepRef & { error: Error };
  'step:checkpoint': StepRef;
  'deprovision:start': { group: string };
  'deprovision:finish': { group: string; durationMs: number; failures: Error[] };
  'deprovision:fail': { group: string; error: Error };
  'shutdown:start': StepRef;
  'shutdown:finish': StepRef;
  'shutdown:fail': StepRef & { error: Error; forced: boolean };
  /** A listener threw; the run carried on. */
  'listener:error': { event: string; error: unknown };
}

export type SchedulerEventName = keyof SchedulerEventMap;

/** Every event name, for code that listens to all of them (the NDJSON stream, test recorders). */
export const SCHEDULER_EVENTS = [
  'group:start',
  'group:finish',
  'group:fail',
  'group:stopped',
  'group:blocked',
  'group:unhealthy',
  'step:start',
  'step:finish',
  'step:fail',
  'step:checkpoint',
  'deprovision:start',
  'deprovision:finish',
  'deprovision:fail',
  'shutdown:start',
  'shutdown:finish',
  'shutdown:fail',
  'listener:error',
] as const satisfies readonly SchedulerEventName[];

// Fails to compile when an event is added to the map but not to the list.
void ((unlisted: Exclude<SchedulerEventName, (typeof SCHEDULER_EVENTS)[number]>): never => unlisted);

export type SchedulerListener<E extends SchedulerEventName> = (payload: SchedulerEventMap[E]) => void;

/** The listening side of the scheduler's events: what `Scheduler.events` offers. Emitting stays inside the scheduler. */
export interface SchedulerEventSource {
  /** Listen to `event`; returns a function that stops listening. */
  on<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): () => void;
  off<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): void;
  listenerCount(event: SchedulerEventName): number;
}

/**
 * A typed event emitter whose `emit` cannot be broken by a throwing listener:
 * the error is re-emitted as `listener:error` and logged, and the run goes on.
 */
export class SchedulerEvents implements SchedulerEventSource {
  readonly #listeners = new Map<SchedulerEventName, Set<(payload: never) => void>>();
  /** The same listeners without `emit`, for the public `Scheduler.events`: a caller cannot fake an event `waitFor` trusts. */
  readonly source: SchedulerEventSource;

  constructor(private readonly logger: Logger) {
    this.source = Object.freeze({
      on: this.on.bind(this),
      off: this.off.bind(this),
      listenerCount: this.listenerCount.bind(this),
    }) as SchedulerEventSource;
  }

  on<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as (payload: never) => void);
    return () => this.off(event, listener);
  }

  off<E extends SchedulerEventName>(event: E, listener: SchedulerListener<E>): void {
    this.#listeners.get(event)?.delete(listener as (payload: never) => void);
  }

  listenerCount(event: SchedulerEventName): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  emit<E extends SchedulerEventName>(event: E, payload: SchedulerEventMap[E]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        (listener as SchedulerListener<E>)(payload);
      } catch (error) {
        this.logger.error(`listener for ${event} threw`, { error });
        if (event !== 'listener:error') this.emit('listener:error', { event, error });
      }
    }
  }
}

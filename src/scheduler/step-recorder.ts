import type { StepFailedError } from '../errors.js';
import { failpoint } from '../failpoints.js';
import type { GroupChange, StepPatch } from '../state/ledger.js';
import type { ProvisionerSnapshot, ValueSnapshot } from '../serialize/codec.js';
import { GroupState, StepState } from '../state/types.js';
import { errorRecord, type Runtime } from './runtime.js';

export type Where = { group: string; step: number; provisioner: string };

/**
 * The writes of one group's pipeline, and the events that say they happened.
 * A finished step is not written on its own: its "done" is held back and
 * goes out with the next write (the next step's "running", or the group's
 * end), so each step costs one journal record. Each event is emitted as soon
 * as the write that makes it true is durable, in the same turn (listeners see
 * them in the order the writes were queued, across groups).
 */
export class StepRecorder {
  readonly #rt: Runtime;
  readonly #group: string;
  readonly #resumeAt: number;
  readonly #elapsed: () => number;
  /** Changes not written yet: they go out with the next write. */
  #held: GroupChange;
  /** The step whose "done" is held, for its step:finish once written. */
  #finished: { where: Where; durationMs: number } | undefined;
  #begun = false;

  constructor(rt: Runtime, group: string, resumeAt: number) {
    this.#rt = rt;
    this.#group = group;
    this.#resumeAt = resumeAt;
    this.#elapsed = rt.clock.mark();
    // This run's attempt: a group that failed (or stopped) before is timed from its retry, not across runs.
    const startedAt = rt.clock.now().toISOString();
    this.#held = {
      group: { to: GroupState.Provisioning, patch: { startedAt, finishedAt: undefined, error: undefined, blockedBy: undefined } },
    };
  }

  /** Whether the group's start has been written. */
  get begun(): boolean {
    return this.#begun;
  }

  /** Write the group's start (and nothing else) now. */
  begin(): Promise<void> {
    return this.#write({});
  }

  /** Write that a step runs, together with what is held; then step:start. */
  stepRunning(where: Where, resumed: boolean): Promise<void> {
    const change = stepChange(where.step, { state: StepState.Running, startedAt: this.#now(), error: undefined });
    return this.#write(change, () => this.#rt.events.emit('step:start', { ...where, resumed }));
  }

  /** Hold a finished step's fields and output: they go out with the next write. */
  stepDone(where: Where, patch: { provisioner: ProvisionerSnapshot; output: ValueSnapshot; report: string[] }, durationMs: number): void {
    this.#held = stepChange(where.step, { state: StepState.Done, ...patch, finishedAt: this.#now() });
    this.#finished = { where, durationMs };
  }

  /** Write that the group stopped before step `nextStep`: back to pending; then group:stopped. */
  stopped(nextStep: number): Promise<void> {
    return this.#write({ group: { to: GroupState.Pending } }, () =>
      this.#rt.events.emit('group:stopped', { group: this.#group, nextStep }),
    );
  }

  /**
   * Write the group's end; then group:finish. `onQueued` runs once the record
   * is queued, before it is durable: a dependent's first record can then go
   * out in the same write, after this one, so it is never durable without it.
   */
  provisioned(onQueued?: () => void): Promise<void> {
    const change = { group: { to: GroupState.Provisioned, patch: { finishedAt: this.#now() } } };
    return this.#write(
      change,
      () => {
        failpoint('after-ack');
        this.#rt.events.emit('group:finish', { group: this.#group, durationMs: this.#elapsed() });
      },
      onQueued,
    );
  }

  /**
   * Write that the step failed (if it was running) and the group with it,
   * keeping `snapshot` (and its report lines, when the provisioner was revived)
   * so a shutdown can undo it; then step:fail and group:fail.
   */
  failed(where: Where, snapshot: ProvisionerSnapshot, error: StepFailedError, report?: string[]): Promise<void> {
    const { step } = where;
    const saved = this.#rt.ledger.get(this.#group)!.steps[step]!;
    const patch: StepPatch = { state: StepState.Failed, provisioner: snapshot, error: errorRecord(error, step), finishedAt: this.#now() };
    if (report) patch.report = report;
    const failedStep = saved.state === StepState.Running ? stepChange(step, patch) : {};
    const finishedAt = this.#now();
    const change = { ...failedStep, group: { to: GroupState.Failed, patch: { error: errorRecord(error, step), finishedAt } } };
    return this.#write(change, () => {
      this.#rt.events.emit('step:fail', { ...where, error });
      this.#rt.events.emit('group:fail', { group: this.#group, error });
    });
  }

  #now(): string {
    return this.#rt.clock.now().toISOString();
  }

  // Not async: the events go out in the very turn the write is acknowledged.
  #write(change: GroupChange, then?: () => void, onQueued?: () => void): Promise<void> {
    const write = this.#rt.ledger.update(this.#group, withHeld(this.#held, change));
    onQueued?.();
    return write.then(() => {
      this.#written();
      then?.();
    });
  }

  #written(): void {
    this.#held = {};
    const { events } = this.#rt;
    if (!this.#begun) events.emit('group:start', { group: this.#group, resumeAt: this.#resumeAt });
    this.#begun = true;
    if (this.#finished) events.emit('step:finish', { ...this.#finished.where, durationMs: this.#finished.durationMs });
    this.#finished = undefined;
  }
}

function stepChange(index: number, patch: StepPatch): GroupChange {
  return { steps: [{ index, patch }] };
}

/** The held changes first, then `change`: its steps after the held ones, its group move in place of theirs. */
function withHeld(held: GroupChange, change: GroupChange): GroupChange {
  const out: GroupChange = { ...held };
  if (change.steps) out.steps = [...(held.steps ?? []), ...change.steps];
  if (change.group) out.group = change.group;
  return out;
}

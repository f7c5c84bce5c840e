import type { SchedulerEventSource } from '../../events.js';

export interface InFlight {
  step: number;
  provisioner: string;
}

/** What the run has done so far, from its events: counts, the groups in flight, each failure's error. */
export class Tally {
  readonly running = new Map<string, InFlight | undefined>();
  done = 0;
  failed = 0;
  blocked = 0;
  stopped = 0;
  /** Whether any group has started (or begun deprovisioning) in this run. */
  get started(): boolean {
    return this.running.size > 0 || this.outcomes.size > 0;
  }
  /** The error of each failed group (or step), for `-v` stacks; the last one wins. */
  readonly errors = new Map<string, Error>();
  /** How each group ended in this run (`provisioned`, `failed`, `blocked`, `stopped`, `deprovisioned`). */
  readonly outcomes = new Map<string, string>();
  readonly #offs: (() => void)[];

  constructor(events: SchedulerEventSource) {
    const leave = (group: string, outcome: string) => {
      this.running.delete(group);
      this.outcomes.set(group, outcome);
    };
    this.#offs = [
      events.on('group:start', ({ group }) => this.running.set(group, undefined)),
      events.on('deprovision:start', ({ group }) => this.running.set(group, undefined)),
      events.on('step:start', ({ group, step, provisioner }) => this.running.set(group, { step, provisioner })),
      events.on('shutdown:start', ({ group, step, provisioner }) => this.running.set(group, { step, provisioner })),
      events.on('step:fail', ({ group, error }) => this.errors.set(group, error)),
      events.on('group:finish', ({ group }) => (leave(group, 'provisioned'), this.done++)),
      events.on('deprovision:finish', ({ group }) => (leave(group, 'deprovisioned'), this.done++)),
      events.on('group:fail', ({ group, error }) => (leave(group, 'failed'), this.failed++, this.errors.set(group, error))),
      events.on('deprovision:fail', ({ group, error }) => (leave(group, 'failed'), this.failed++, this.errors.set(group, error))),
      events.on('group:blocked', ({ group }) => (leave(group, 'blocked'), this.blocked++)),
      events.on('group:stopped', ({ group }) => (leave(group, 'stopped'), this.stopped++)),
    ];
  }

  detach(): void {
    for (const off of this.#offs) off();
  }
}

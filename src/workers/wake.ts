/**
 * Something to wait on between fetches: resolved by a NOTIFY, a freed slot,
 * a stop, or the fallback poll (pg-boss's own cadence, for a lost NOTIFY).
 */
export class Wake {
  #resolve: (() => void) | undefined;
  #pending = false;

  /** Wake the waiter now (or the next one, if none waits). */
  ring(): void {
    if (this.#resolve) {
      const r = this.#resolve;
      this.#resolve = undefined;
      r();
    } else this.#pending = true;
  }

  wait(pollMs: number): Promise<void> {
    if (this.#pending) {
      this.#pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.ring(), pollMs);
      this.#resolve = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

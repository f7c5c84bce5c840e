/** Undoes one thing: stops a process, closes a connection, removes a file. */
export type Release = () => unknown;

/**
 * Release functions on a stack, run last-in-first-out (graphile-worker's
 * `withReleasers`): what was acquired last, and may depend on what came
 * before, is undone first. Either `release()` undoes everything, or `keep()`
 * hands it all on to a new owner (the snapshot, the caller); both end the
 * stack, and a second release is refused, since it would undo twice.
 */
export class Releasers {
  #stack: Release[] = [];
  #ended: 'released' | 'kept' | undefined;

  /** True until `release()` or `keep()`. */
  get holding(): boolean {
    return this.#ended === undefined;
  }

  /** Push `release`, to run if this stack is released. */
  defer(release: Release): void {
    this.#refuseIfEnded('defer a release on');
    this.#stack.push(release);
  }

  /** Hand everything on: nothing deferred so far will run. */
  keep(): void {
    this.#refuseIfEnded('keep');
    this.#ended = 'kept';
    this.#stack = [];
  }

  /**
   * Run every release, last first. Each one runs even if an earlier one throws;
   * the first failure (of the last thing acquired) is thrown once all have run.
   */
  async release(): Promise<void> {
    this.#refuseIfEnded('release'); // a second release would undo twice
    this.#ended = 'released';
    const stack = this.#stack;
    this.#stack = [];
    let failed: { error: unknown } | undefined;
    for (let i = stack.length - 1; i >= 0; i--) {
      try {
        await stack[i]!();
      } catch (error) {
        failed ??= { error };
      }
    }
    if (failed) throw failed.error;
  }

  // Using a stack after it ended is a bug in its owner, not a condition a user can meet.
  #refuseIfEnded(what: string): void {
    if (this.#ended) throw new Error(`Releasers: cannot ${what} a stack already ${this.#ended}.`);
  }
}

/**
 * Run `fn` with a fresh stack. If `fn` throws, whatever is still on the stack
 * is released (last first) and `fn`'s error is rethrown: it is the cause the
 * caller must see, so a release failing after it is not allowed to replace it.
 * If `fn` returns, what it deferred has been handed on with its result.
 */
export async function withReleasers<T>(fn: (owned: Releasers) => Promise<T>): Promise<T> {
  const owned = new Releasers();
  try {
    const result = await fn(owned);
    if (owned.holding) owned.keep();
    return result;
  } catch (error) {
    if (owned.holding) await owned.release().catch(() => {});
    throw error;
  }
}

/** How each node of a DAG run ended. */
export const NodeOutcome = {
  Done: 'done',
  Failed: 'failed',
  /** A prerequisite failed or was blocked, so this node never started. */
  Blocked: 'blocked',
  /** The run was aborted before this node started. */
  NotStarted: 'not-started',
} as const;
export type NodeOutcome = (typeof NodeOutcome)[keyof typeof NodeOutcome];

export interface DagRun {
  /** Nodes to run. */
  nodes: Iterable<string>;
  /** Nodes (among `nodes`) that must be done before this one starts. */
  prerequisites(node: string): readonly string[];
  concurrency: number;
  signal?: AbortSignal;
  /**
   * Runs one node; a rejection marks it failed. A node may call `release()`
   * before it settles, once its successors may start (it has nothing left
   * that can fail but the write already under way): they start at once and
   * its slot is freed. The run still waits for it to settle.
   */
  execute(node: string, release: () => void): Promise<void>;
  /** Called when a node is blocked because `by` did not finish. */
  onBlocked?(node: string, by: string[]): Promise<void> | void;
}

/**
 * Runs each node as soon as all its prerequisites are done (no polling: a
 * finishing node releases its waiting successors), at most `concurrency` at a
 * time. A failed node blocks everything that waits on it, while independent
 * nodes carry on. Used for provisioning (prerequisites = dependencies) and
 * teardown (prerequisites = dependents). Rejects only if `onBlocked` throws.
 */
export function runDag(run: DagRun): Promise<Map<string, NodeOutcome>> {
  const nodes = new Set(run.nodes);
  const outcome = new Map<string, NodeOutcome>();
  const waitingOn = new Map<string, number>();
  const successors = new Map<string, string[]>();
  // A queue as an array and a read index: shift() is O(n) on large arrays.
  const ready: string[] = [];
  let head = 0;
  /** Nodes holding a concurrency slot. */
  let running = 0;
  /** Nodes whose execute() has not settled (released ones included). */
  let unsettled = 0;

  for (const node of nodes) {
    const prereqs = run.prerequisites(node).filter((p) => nodes.has(p));
    waitingOn.set(node, prereqs.length);
    for (const p of prereqs) {
      let list = successors.get(p);
      if (!list) successors.set(p, (list = []));
      list.push(node);
    }
    if (prereqs.length === 0) ready.push(node);
  }

  return new Promise((resolve, reject) => {
    const finishIfIdle = () => {
      if (running > 0 || unsettled > 0) return;
      if (head < ready.length && !run.signal?.aborted) return;
      for (const node of nodes) if (!outcome.has(node)) outcome.set(node, NodeOutcome.NotStarted);
      resolve(outcome);
    };

    const block = async (failed: string) => {
      const blocked: string[] = [];
      const todo = [...(successors.get(failed) ?? [])];
      while (todo.length > 0) {
        const node = todo.pop()!;
        if (outcome.has(node)) continue;
        outcome.set(node, NodeOutcome.Blocked);
        blocked.push(node);
        todo.push(...(successors.get(node) ?? []));
      }
      for (const node of blocked) await run.onBlocked?.(node, [failed]);
    };

    const succeed = (node: string) => {
      outcome.set(node, NodeOutcome.Done);
      for (const next of successors.get(node) ?? []) {
        const left = waitingOn.get(next)! - 1;
        waitingOn.set(next, left);
        if (left === 0 && !outcome.has(next)) ready.push(next);
      }
    };

    const pump = () => {
      while (running < run.concurrency && head < ready.length && !run.signal?.aborted) {
        const node = ready[head++]!;
        running++;
        unsettled++;
        let released = false;
        const release = () => {
          if (released) return;
          released = true;
          succeed(node);
          running--;
          pump();
        };
        run
          .execute(node, release)
          .then(
            () => {
              if (!released) succeed(node);
            },
            async () => {
              // After a release only the write under way can fail, which stops the whole run.
              if (released) return;
              outcome.set(node, NodeOutcome.Failed);
              await block(node);
            },
          )
          .finally(() => {
            unsettled--;
            if (!released) running--;
            pump();
            finishIfIdle();
          })
          .catch(reject); // only onBlocked (i.e. persistence) can land here
      }
    };

    pump();
    finishIfIdle();
  });
}

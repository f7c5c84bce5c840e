import type { ShutdownFailedError } from '../errors.js';
import { NodeOutcome, runDag } from './dag-runner.js';
import { dependencyClosure, reverseEdges } from './graph.js';
import { deprovisionGroup } from './shutdown.js';
import type { Runtime } from './runtime.js';

export interface TeardownSummary {
  ok: boolean;
  /** Groups removed from the state. */
  removed: string[];
  /** Groups whose shutdown failed (without force they stay in the state, `failed`). */
  failed: { group: string; error: string }[];
  /** Groups left alone: excepted, needed by an excepted group, or waiting on a failed dependent. */
  kept: string[];
  /** With force: shutdowns that failed but were gone past. */
  forcedFailures: ShutdownFailedError[];
  durationMs: number;
}

/**
 * Deprovision `groups` (default: all but `except` and what they depend on),
 * dependents before their dependencies, independent groups in parallel.
 */
export async function teardownRun(
  rt: Runtime,
  options: {
    groups?: readonly string[];
    except?: readonly string[];
    force: boolean;
    concurrency: number;
    signal: AbortSignal;
    stop?: AbortSignal;
  },
): Promise<TeardownSummary> {
  const elapsed = rt.clock.mark();
  const { ledger } = rt;
  const keep = dependencyClosure(options.except ?? [], (n) => ledger.get(n)?.dependsOn ?? []);
  const targets = (options.groups ?? ledger.names()).filter((n) => !keep.has(n) && ledger.has(n));
  const dependents = reverseEdges(ledger.records());
  const forcedFailures: ShutdownFailedError[] = [];
  const failed: TeardownSummary['failed'] = [];

  const outcomes = await runDag({
    nodes: targets,
    prerequisites: (name) => dependents.get(name) ?? [],
    concurrency: options.concurrency,
    // A graceful stop lets the groups being torn down finish, and starts no more.
    signal: options.stop ? AbortSignal.any([options.signal, options.stop]) : options.signal,
    execute: async (name) => {
      try {
        forcedFailures.push(...(await deprovisionGroup(rt, name, { force: options.force, signal: options.signal })));
      } catch (error) {
        failed.push({ group: name, error: (error as Error).message });
        throw error;
      }
    },
  });

  const removed = [...outcomes].filter(([, o]) => o === NodeOutcome.Done).map(([n]) => n);
  const kept = [...keep, ...[...outcomes].filter(([, o]) => o === NodeOutcome.Blocked || o === NodeOutcome.NotStarted).map(([n]) => n)];
  return {
    ok: failed.length === 0 && removed.length === targets.length,
    removed,
    failed,
    kept: kept.filter((n) => ledger.has(n)),
    forcedFailures,
    durationMs: elapsed(),
  };
}

import { GroupBlockedError, GroupFailedError } from '../errors.js';
import { GroupState } from '../state/types.js';
import { NodeOutcome, runDag } from './dag-runner.js';
import { dependencyClosure } from './graph.js';
import { PipelineEnd, provisionGroup } from './pipeline.js';
import { errorRecord, type Runtime } from './runtime.js';

export interface GroupResult {
  group: string;
  state: GroupState;
  /** For failed and blocked groups. */
  error?: string;
  blockedBy?: string[];
}

export interface RunSummary {
  ok: boolean;
  aborted: boolean;
  durationMs: number;
  groups: GroupResult[];
}

const RETRY = new Set<GroupState>([GroupState.Failed, GroupState.Blocked]);

/**
 * Provision `targets` (default: every group) and everything they depend on.
 * Provisioned groups are skipped; failed and blocked ones are retried from
 * their first unfinished step; an interrupted one resumes at the step in flight.
 */
export async function provisionRun(
  rt: Runtime,
  options: { targets?: readonly string[]; concurrency: number; signal: AbortSignal; stop?: AbortSignal },
): Promise<RunSummary> {
  const elapsed = rt.clock.mark();
  const { ledger } = rt;
  const closure = dependencyClosure(options.targets ?? ledger.names(), (n) => ledger.get(n)?.dependsOn ?? []);
  // In scheduling order, so the serial mode runs groups in the order they were scheduled.
  const todo = ledger.names().filter((name) => closure.has(name) && ledger.get(name)!.state !== GroupState.Provisioned);
  // Retry failed and blocked groups. The moves start together, so memory is
  // updated before run() first yields and a waitFor() right after sees them pending.
  await Promise.all(
    todo
      .filter((name) => RETRY.has(ledger.get(name)!.state))
      .map((name) => ledger.moveGroup(name, GroupState.Pending, { error: undefined, blockedBy: undefined })),
  );

  const failures = new Map<string, string>();
  let stopped = false;
  const outcomes = await runDag({
    nodes: todo,
    prerequisites: (name) => ledger.get(name)!.dependsOn,
    concurrency: options.concurrency,
    signal: options.stop ? AbortSignal.any([options.signal, options.stop]) : options.signal,
    execute: async (name, release) => {
      const state = ledger.get(name)!.state;
      if (state === GroupState.Deprovisioning) {
        const message = `Group "${name}" was being deprovisioned when the last run stopped; finish that with \`deprovision ${name}\` first.`;
        failures.set(name, message);
        throw new GroupFailedError(message, name);
      }
      try {
        const end = await provisionGroup(rt, name, options.signal, {
          ...(options.stop ? { stop: options.stop } : {}),
          onFinalWrite: release,
        });
        if (end === PipelineEnd.Stopped) stopped = true;
      } catch (error) {
        failures.set(name, (error as Error).message);
        throw error;
      }
    },
    onBlocked: async (name, by) => {
      const blockedBy = ledger.get(name)!.dependsOn.filter((d) => ledger.get(d)?.state !== GroupState.Provisioned);
      await ledger.moveGroup(name, GroupState.Blocked, {
        blockedBy,
        error: errorRecord(new GroupBlockedError(name, blockedBy.length > 0 ? blockedBy : by)),
      });
      rt.events.emit('group:blocked', { group: name, blockedBy });
    },
  });

  const groups: GroupResult[] = ledger
    .names()
    .filter((n) => closure.has(n))
    .map((name) => {
      const record = ledger.get(name)!;
      const result: GroupResult = { group: name, state: record.state };
      const error = failures.get(name) ?? record.error?.message;
      if (record.state !== GroupState.Provisioned && error) result.error = error;
      if (record.blockedBy) result.blockedBy = record.blockedBy;
      return result;
    });
  const notStarted = [...outcomes.values()].some((o) => o === NodeOutcome.NotStarted);
  return {
    ok: groups.every((g) => g.state === GroupState.Provisioned),
    aborted: notStarted || stopped || options.signal.aborted || (options.stop?.aborted ?? false),
    durationMs: elapsed(),
    groups,
  };
}

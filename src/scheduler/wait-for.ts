import { GroupFailedError, UnknownGroupError } from '../errors.js';
import { GroupState, type GroupRecord } from '../state/types.js';
import type { Runtime } from './runtime.js';

/**
 * Resolves when all `groups` are provisioned; rejects at once if one failed,
 * is blocked, or is unknown. Driven by the scheduler's events, no polling.
 */
export function waitForGroups(rt: Runtime, groups: readonly string[], signal?: AbortSignal): Promise<void> {
  const { ledger, events } = rt;
  return new Promise((resolve, reject) => {
    const waiting = new Set<string>();
    const offs: Array<() => void> = [];
    const settle = (error?: unknown) => {
      for (const off of offs) off();
      if (error) reject(error);
      else resolve();
    };
    if (signal?.aborted) return settle(signal.reason);
    for (const name of groups) {
      const record = ledger.get(name);
      if (!record) return settle(new UnknownGroupError(name, ledger.names()));
      const problem = waitProblem(record);
      if (problem) return settle(problem);
      if (record.state !== GroupState.Provisioned) waiting.add(name);
    }
    if (waiting.size === 0) return settle();
    if (signal) {
      const onAbort = () => settle(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      offs.push(() => signal.removeEventListener('abort', onAbort));
    }
    offs.push(
      events.on('group:finish', ({ group }) => {
        if (waiting.delete(group) && waiting.size === 0) settle();
      }),
      events.on('group:fail', ({ group, error }) => {
        if (waiting.has(group)) settle(new GroupFailedError(`Group "${group}" failed: ${error.message}`, group, error));
      }),
      events.on('group:blocked', ({ group, blockedBy }) => {
        if (waiting.has(group))
          settle(new GroupFailedError(`Group "${group}" is blocked: ${blockedBy.join(', ')} did not provision.`, group));
      }),
    );
  });
}

function waitProblem(record: GroupRecord): Error | undefined {
  if (record.state === GroupState.Failed) {
    return new GroupFailedError(`Group "${record.name}" failed: ${record.error?.message ?? 'unknown error'}`, record.name);
  }
  if (record.state === GroupState.Blocked) {
    return new GroupFailedError(
      `Group "${record.name}" is blocked: ${(record.blockedBy ?? []).join(', ')} did not provision.`,
      record.name,
    );
  }
  return undefined;
}

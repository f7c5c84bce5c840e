// Health on reuse: run the optional `check(ctx)` of every step of provisioned
// groups, in parallel and each bounded, so a kept cluster with a dead node is
// replaced instead of tested.
import { ConfigError, describeError } from '../errors.js';
import type { CheckResult, Provisioner } from '../provisioners/contract.js';
import { reviveProvisioner } from '../serialize/codec.js';
import { GroupState, StepState } from '../state/types.js';
import { dependencyOutputs, makeContext, type Runtime } from './runtime.js';

/** A step whose check failed. */
export interface UnhealthyStep {
  group: string;
  /** Zero-based. */
  step: number;
  provisioner: string;
  reason: string;
}

export interface CheckOptions {
  /** Each check's bound (default 2,000 ms); one that takes longer counts as failed. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 2_000;

/**
 * Check the provisioned groups among `groups` (default: all in the state):
 * every done step whose provisioner has `check` runs it, all at once. Returns
 * the first failing step of each unhealthy group (in state order) and emits
 * `group:unhealthy` for it. A check that throws or overruns fails with that as its reason.
 */
export async function checkGroups(rt: Runtime, groups: readonly string[] | undefined, options: CheckOptions = {}): Promise<UnhealthyStep[]> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
  const wanted = groups ? new Set(groups) : undefined;
  const records = rt.ledger.records().filter((r) => r.state === GroupState.Provisioned && (!wanted || wanted.has(r.name)));
  const perGroup = await Promise.all(
    records.map(async (record) => {
      const dependencies = dependencyOutputs(rt, record);
      const results = await Promise.all(
        record.steps.map(async (saved, step): Promise<UnhealthyStep | undefined> => {
          if (saved.state !== StepState.Done) return undefined;
          const where = { group: record.name, step, provisioner: saved.provisioner.class };
          let provisioner: Provisioner;
          try {
            provisioner = reviveProvisioner(saved.provisioner, rt.registry, where);
          } catch (error) {
            return { ...where, reason: `cannot be revived to check it: ${describeError(error)}` };
          }
          if (typeof provisioner.check !== 'function') return undefined;
          provisioner.name = record.name;
          const result = await bounded(provisioner, timeoutMs, options.signal, (signal) =>
            makeContext(rt, where, signal, dependencies, () => Promise.reject(new ConfigError(`${where.provisioner}.check() called ctx.checkpoint(): a check must not change the snapshot.`))),
          );
          return result.ok ? undefined : { ...where, reason: result.reason };
        }),
      );
      return results.find((r) => r !== undefined);
    }),
  );
  const unhealthy = perGroup.filter((u): u is UnhealthyStep => u !== undefined);
  for (const u of unhealthy) {
    rt.logger.warn(`${u.group} is unhealthy: step ${u.step + 1} (${u.provisioner}): ${u.reason}`, { group: u.group, step: u.step, reason: u.reason });
    rt.events.emit('group:unhealthy', u);
  }
  return unhealthy;
}

async function bounded(
  provisioner: Provisioner,
  timeoutMs: number,
  outer: AbortSignal | undefined,
  context: (signal: AbortSignal) => Parameters<NonNullable<Provisioner['check']>>[0],
): Promise<CheckResult> {
  const controller = new AbortController();
  const signal = outer ? AbortSignal.any([outer, controller.signal]) : controller.signal;
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve({ ok: false, reason: `its check did not answer within ${timeoutMs} ms` });
    }, timeoutMs);
  });
  try {
    const checking = Promise.resolve()
      .then(() => provisioner.check!(context(signal)))
      .catch((error: unknown): CheckResult => ({ ok: false, reason: `its check threw: ${describeError(error)}` }));
    const result = await Promise.race([checking, overrun]);
    return result && (result.ok === true || typeof result.reason === 'string') ? result : { ok: false, reason: `its check returned ${JSON.stringify(result)}` };
  } finally {
    clearTimeout(timer);
    controller.abort(); // a check still running after the race is told to stop
  }
}

import { ShutdownFailedError, StepFailedError, StepFencedError, describeError } from '../errors.js';
import type { Provisioner } from '../provisioners/contract.js';
import { stepError } from '../scheduler/pipeline.js';
import { reportLines } from '../scheduler/report-lines.js';
import { describeFalsy, errorRecord, stepContext, type ContextParts } from '../scheduler/runtime.js';
import { reviveProvisioner, reviveValue, snapshotProvisioner, snapshotValue } from '../serialize/codec.js';
import type { ProvisionerRegistry } from '../serialize/registry.js';
import type { StepRecord } from '../state/types.js';
import type { ClaimedStep } from './claim.js';
import { endRecord, type StepEnd } from './commit.js';
import { JobKind } from './queue.js';

export interface StepRunner {
  worker: string;
  parts: ContextParts;
  registry: ProvisionerRegistry;
  /** The fenced checkpoint write: false if the attempt was taken over. */
  checkpoint(claimed: ClaimedStep, record: StepRecord): Promise<boolean>;
}

/**
 * Run one claimed step: revive its provisioner from the snapshot, run its
 * startup (with the previous step's recorded return) or its shutdown with
 * the same ctx as the single process builds, and say how it ended. Never
 * throws except StepFencedError, when a checkpoint was refused.
 */
export async function runStep(runner: StepRunner, claimed: ClaimedStep, signal: AbortSignal): Promise<StepEnd> {
  const { job, record } = claimed;
  const where = { group: job.group, step: job.step, provisioner: record.provisioner.class };
  const up = job.kind === JobKind.Up;
  const started = performance.now();
  let provisioner: Provisioner | undefined;
  let fenced: StepFencedError | undefined;
  try {
    provisioner = reviveProvisioner(record.provisioner, runner.registry, where);
    provisioner.name = job.group;
    const p = provisioner;
    const checkpoint = async () => {
      const current = { ...record, provisioner: snapshotProvisioner(p, runner.registry, where), report: reportLines(p) };
      if (!(await runner.checkpoint(claimed, current))) {
        fenced = new StepFencedError(where, job.attempt, runner.worker);
        throw fenced;
      }
    };
    const dependencies: Record<string, unknown> = {};
    for (const [name, snap] of Object.entries(claimed.dependencies))
      dependencies[name] = snap ? reviveValue(snap, runner.registry) : undefined;
    const ctx = stepContext(runner.parts, where, signal, Object.freeze(dependencies), checkpoint);
    if (up) {
      const input = claimed.input ? reviveValue(claimed.input, runner.registry) : null;
      const output: unknown = await p.startup(input, ctx);
      if (!output) {
        throw new StepFailedError(
          `Group "${job.group}" step ${job.step + 1} (${where.provisioner}) returned ${describeFalsy(output)} from startup(); ` +
            `a provisioner must return a truthy value for the group to go on.`,
          where,
        );
      }
      const patch = {
        provisioner: snapshotProvisioner(p, runner.registry, where),
        output: snapshotValue(output, runner.registry, where),
        report: reportLines(p),
      };
      return { ok: true, record: endRecord(claimed, patch, true), durationMs: performance.now() - started };
    }
    const ok: unknown = await p.shutdown(ctx);
    if (!ok)
      throw new ShutdownFailedError(
        `Group "${job.group}" step ${job.step + 1} (${where.provisioner}) returned ${describeFalsy(ok)} from shutdown().`,
        where,
      );
    const patch = { provisioner: snapshotProvisioner(p, runner.registry, where), report: reportLines(p) };
    return { ok: true, record: endRecord(claimed, patch, true), durationMs: performance.now() - started };
  } catch (cause) {
    if (fenced) throw fenced;
    const error = up
      ? stepError(cause, where, signal)
      : cause instanceof ShutdownFailedError
        ? cause
        : new ShutdownFailedError(
            `Group "${job.group}" step ${job.step + 1} (${where.provisioner}) failed to shut down: ${describeError(cause)}`,
            {
              ...where,
              cause,
            },
          );
    let snapshot = record.provisioner;
    try {
      if (provisioner) snapshot = snapshotProvisioner(provisioner, runner.registry, where);
    } catch {
      // keep the last good snapshot
    }
    const patch: Partial<StepRecord> = { provisioner: snapshot, error: errorRecord(error, job.step) };
    if (provisioner) patch.report = reportLines(provisioner);
    return { ok: false, record: endRecord(claimed, patch, false), error };
  }
}

import { describeError, StepFailedError } from '../errors.js';
import { failpoint } from '../failpoints.js';
import type { Provisioner } from '../provisioners/contract.js';
import { reviveProvisioner, reviveValue, snapshotProvisioner, snapshotValue } from '../serialize/codec.js';
import { resumeIndex } from '../state/transitions.js';
import type { GroupChange, StepPatch } from '../state/ledger.js';
import { GroupState, StepState } from '../state/types.js';
import { dependencyOutputs, describeFalsy, errorRecord, makeContext, type Runtime } from './runtime.js';

/** How `provisionGroup` ended, when it did not fail. */
export const PipelineEnd = { Provisioned: 'provisioned', Stopped: 'stopped' } as const;
export type PipelineEnd = (typeof PipelineEnd)[keyof typeof PipelineEnd];

/**
 * Run one group's pipeline from its first unfinished step: each startup gets
 * the previous step's (revived) return value; each finished step, with the
 * provisioner's fields and its output, is durable before the next starts.
 * A step's "done" is written together with the next step's "running" (or the
 * group's end), so each step costs one journal record. When `stop` aborts,
 * no further step starts and the group goes back to pending. Rejects with a
 * StepFailedError after recording the failure.
 */
export async function provisionGroup(
  rt: Runtime,
  name: string,
  signal: AbortSignal,
  options: { stop?: AbortSignal; onFinalWrite?: () => void } = {},
): Promise<PipelineEnd> {
  const { stop } = options;
  const { ledger, events, registry } = rt;
  if (stop?.aborted) return PipelineEnd.Stopped;
  const record = ledger.get(name)!;
  const start = resumeIndex(record.steps.map((s) => s.state));
  const started = Date.now();
  // Changes not written yet: they go out with the next write.
  let carry: GroupChange = {
    group: {
      to: GroupState.Provisioning,
      patch: { startedAt: record.startedAt ?? rt.now().toISOString(), finishedAt: undefined, error: undefined, blockedBy: undefined },
    },
  };
  let finished: { where: Where; durationMs: number } | undefined;
  let begun = false;
  const flushed = () => {
    carry = {};
    if (!begun) events.emit('group:start', { group: name, resumeAt: start });
    begun = true;
    if (finished) events.emit('step:finish', { ...finished.where, durationMs: finished.durationMs });
    finished = undefined;
  };

  const dependencies = dependencyOutputs(rt, record);
  const previous = record.steps[start - 1]?.output;
  let input: unknown = previous ? reviveValue(previous, registry) : null;

  if (start >= record.steps.length) {
    await ledger.update(name, carry); // every step done, the group's end not recorded (an older state)
    flushed();
  }
  for (let step = start; step < record.steps.length; step++) {
    const saved = ledger.get(name)!.steps[step]!;
    const where = { group: name, step, provisioner: saved.provisioner.class };
    let provisioner: Provisioner | undefined;
    try {
      provisioner = reviveProvisioner(saved.provisioner, registry, where);
      provisioner.name = name;
      if (step > start && stop?.aborted && !signal.aborted) {
        await ledger.update(name, { ...carry, group: { to: GroupState.Pending } });
        flushed();
        events.emit('group:stopped', { group: name, nextStep: step });
        return PipelineEnd.Stopped;
      }
      await ledger.update(name, withStep(carry, step, { state: StepState.Running, startedAt: rt.now().toISOString(), error: undefined }));
      flushed();
      events.emit('step:start', { ...where, resumed: saved.state !== StepState.Pending });
      failpoint('before-startup');
      if (signal.aborted) throw signal.reason;

      const stepStarted = Date.now();
      const p = provisioner;
      const checkpoint = async () => {
        await ledger.updateStep(name, step, { provisioner: snapshotProvisioner(p, registry, where) });
        events.emit('step:checkpoint', where);
      };
      const output: unknown = await p.startup(input, makeContext(rt, where, signal, dependencies, checkpoint));
      if (!output) {
        throw new StepFailedError(
          `Group "${name}" step ${step + 1} (${where.provisioner}) returned ${describeFalsy(output)} from startup(); ` +
            `a provisioner must return a truthy value for the group to go on.`,
          where,
        );
      }
      const outputSnapshot = snapshotValue(output, registry, where);
      failpoint('after-step-before-journal');
      carry = withStep({}, step, {
        state: StepState.Done,
        provisioner: snapshotProvisioner(p, registry, where),
        output: outputSnapshot,
        finishedAt: rt.now().toISOString(),
      });
      finished = { where, durationMs: Date.now() - stepStarted };
      // The next step sees exactly what a resumed run would see.
      input = reviveValue(outputSnapshot, registry);
    } catch (cause) {
      // The state could not be written: nothing more can be recorded, and the run must stop with that error.
      if (ledger.broken) throw ledger.broken;
      const error = stepError(cause, where, signal);
      if (!begun) {
        // Failed before its first write (e.g. the class is not registered): record that it started, then that it failed.
        await ledger.update(name, carry);
        flushed();
      }
      await recordFailure(rt, name, step, provisioner, error, carry);
      flushed();
      events.emit('step:fail', { ...where, error });
      events.emit('group:fail', { group: name, error });
      throw error;
    }
  }

  const final = ledger.update(name, { ...carry, group: { to: GroupState.Provisioned, patch: { finishedAt: rt.now().toISOString() } } });
  // The record is queued: a dependent's first record can go out in the same write,
  // after this one, so it is never durable without it.
  options.onFinalWrite?.();
  await final;
  flushed();
  failpoint('after-ack');
  events.emit('group:finish', { group: name, durationMs: Date.now() - started });
  return PipelineEnd.Provisioned;
}

type Where = { group: string; step: number; provisioner: string };

function withStep(change: GroupChange, index: number, patch: StepPatch): GroupChange {
  return { ...change, steps: [...(change.steps ?? []), { index, patch }] };
}

async function recordFailure(
  rt: Runtime,
  name: string,
  step: number,
  provisioner: Provisioner | undefined,
  error: StepFailedError,
  carry: GroupChange,
): Promise<void> {
  const saved = rt.ledger.get(name)!.steps[step]!;
  // Keep whatever the provisioner recorded before failing, so a shutdown can undo it.
  let snapshot = saved.provisioner;
  if (provisioner) {
    try {
      snapshot = snapshotProvisioner(provisioner, rt.registry, { group: name, step });
    } catch {
      // keep the last good snapshot
    }
  }
  const failed =
    saved.state === StepState.Running
      ? withStep(carry, step, {
          state: StepState.Failed,
          provisioner: snapshot,
          error: errorRecord(error, step),
          finishedAt: rt.now().toISOString(),
        })
      : carry;
  const finishedAt = rt.now().toISOString();
  await rt.ledger.update(name, { ...failed, group: { to: GroupState.Failed, patch: { error: errorRecord(error, step), finishedAt } } });
}

// A step that fails because the run was cancelled says so, with the reason
// (e.g. "interrupted by SIGINT"), whatever error the provisioner surfaced.
function stepError(cause: unknown, where: { group: string; step: number; provisioner: string }, signal: AbortSignal): StepFailedError {
  if (cause instanceof StepFailedError) return cause;
  const label = `Group "${where.group}" step ${where.step + 1} (${where.provisioner})`;
  const message = signal.aborted ? `${label} was cancelled: ${describeError(signal.reason)}` : `${label} failed: ${describeError(cause)}`;
  return new StepFailedError(message, { ...where, cause });
}

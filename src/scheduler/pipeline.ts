import { describeError, StepFailedError } from '../errors.js';
import { failpoint } from '../failpoints.js';
import type { Provisioner } from '../provisioners/contract.js';
import { reviveProvisioner, reviveValue, snapshotProvisioner, snapshotValue, type ProvisionerSnapshot } from '../serialize/codec.js';
import { resumeIndex } from '../state/transitions.js';
import { StepState } from '../state/types.js';
import { reportLines } from './report-lines.js';
import { dependencyOutputs, describeFalsy, makeContext, type Runtime } from './runtime.js';
import { StepRecorder, type Where } from './step-recorder.js';

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
  const recorder = new StepRecorder(rt, name, start);

  const dependencies = dependencyOutputs(rt, record);
  const previous = record.steps[start - 1]?.output;
  let input: unknown = previous ? reviveValue(previous, registry) : null;

  if (start >= record.steps.length) await recorder.begin(); // every step done, the group's end not recorded (an older state)
  for (let step = start; step < record.steps.length; step++) {
    const saved = ledger.get(name)!.steps[step]!;
    const where = { group: name, step, provisioner: saved.provisioner.class };
    let provisioner: Provisioner | undefined;
    try {
      provisioner = reviveProvisioner(saved.provisioner, registry, where);
      provisioner.name = name;
      if (step > start && stop?.aborted && !signal.aborted) {
        await recorder.stopped(step);
        return PipelineEnd.Stopped;
      }
      await recorder.stepRunning(where, saved.state !== StepState.Pending);
      failpoint('before-startup');
      if (signal.aborted) throw signal.reason;

      const stepElapsed = rt.clock.mark();
      const p = provisioner;
      const checkpoint = async () => {
        await ledger.updateStep(name, step, { provisioner: snapshotProvisioner(p, registry, where), report: reportLines(p) });
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
      const done = { provisioner: snapshotProvisioner(p, registry, where), output: outputSnapshot, report: reportLines(p) };
      recorder.stepDone(where, done, stepElapsed());
      // The next step sees exactly what a resumed run would see.
      input = reviveValue(outputSnapshot, registry);
    } catch (cause) {
      // The state could not be written: nothing more can be recorded, and the run must stop with that error.
      if (ledger.broken) throw ledger.broken;
      const error = stepError(cause, where, signal);
      // Failed before its first write (e.g. the class is not registered): record that it started, then that it failed.
      if (!recorder.begun) await recorder.begin();
      await recorder.failed(where, lastSnapshot(rt, provisioner, where), error, provisioner && reportLines(provisioner));
      throw error;
    }
  }

  // The dependents may start as soon as the record is queued (see StepRecorder.provisioned).
  await recorder.provisioned(options.onFinalWrite);
  return PipelineEnd.Provisioned;
}

// Keep whatever the provisioner recorded before failing, so a shutdown can undo it.
function lastSnapshot(rt: Runtime, provisioner: Provisioner | undefined, where: Where): ProvisionerSnapshot {
  // What is on record, its checkpoints included.
  const saved = rt.ledger.get(where.group)!.steps[where.step]!.provisioner;
  if (!provisioner) return saved;
  try {
    return snapshotProvisioner(provisioner, rt.registry, { group: where.group, step: where.step });
  } catch {
    return saved; // keep the last good snapshot
  }
}

// A step that fails because the run was cancelled says so, with the reason
// (e.g. "interrupted by SIGINT"), whatever error the provisioner surfaced.
export function stepError(cause: unknown, where: Where, signal: AbortSignal): StepFailedError {
  if (cause instanceof StepFailedError) return cause;
  const label = `Group "${where.group}" step ${where.step + 1} (${where.provisioner})`;
  const message = signal.aborted ? `${label} was cancelled: ${describeError(signal.reason)}` : `${label} failed: ${describeError(cause)}`;
  return new StepFailedError(message, { ...where, cause });
}

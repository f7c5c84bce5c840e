import { describeError, StepFailedError } from '../errors.js';
import type { Provisioner } from '../provisioners/contract.js';
import { reviveProvisioner, reviveValue, snapshotProvisioner, snapshotValue } from '../serialize/codec.js';
import { resumeIndex } from '../state/transitions.js';
import { GroupState, StepState } from '../state/types.js';
import { dependencyOutputs, describeFalsy, errorRecord, makeContext, type Runtime } from './runtime.js';

/**
 * Run one group's pipeline from its first unfinished step: each startup gets
 * the previous step's (revived) return value; each finished step, with the
 * provisioner's fields and its output, is durable before the next starts.
 * Rejects with a StepFailedError after recording the failure.
 */
export async function provisionGroup(rt: Runtime, name: string, signal: AbortSignal): Promise<void> {
  const { ledger, events, registry } = rt;
  const record = ledger.get(name)!;
  const start = resumeIndex(record.steps.map((s) => s.state));
  const started = Date.now();
  await ledger.moveGroup(name, GroupState.Provisioning, {
    startedAt: record.startedAt ?? rt.now().toISOString(),
    finishedAt: undefined,
    error: undefined,
    blockedBy: undefined,
  });
  events.emit('group:start', { group: name, resumeAt: start });

  const dependencies = dependencyOutputs(rt, record);
  const previous = record.steps[start - 1]?.output;
  let input: unknown = previous ? reviveValue(previous, registry) : null;

  for (let step = start; step < record.steps.length; step++) {
    const saved = ledger.get(name)!.steps[step]!;
    const where = { group: name, step, provisioner: saved.provisioner.class };
    const stepStarted = Date.now();
    let provisioner: Provisioner | undefined;
    try {
      provisioner = reviveProvisioner(saved.provisioner, registry, where);
      provisioner.name = name;
      await ledger.updateStep(name, step, { state: StepState.Running, startedAt: rt.now().toISOString(), error: undefined });
      events.emit('step:start', { ...where, resumed: saved.state !== StepState.Pending });
      if (signal.aborted) throw signal.reason;

      const p = provisioner;
      const checkpoint = async () => {
        await ledger.updateStep(name, step, { provisioner: snapshotProvisioner(p, registry, where) });
        events.emit('step:checkpoint', where);
      };
      const ctx = makeContext(rt, where, signal, dependencies, checkpoint);
      const output: unknown = await p.startup(input, ctx);
      if (!output) {
        throw new StepFailedError(
          `Group "${name}" step ${step + 1} (${where.provisioner}) returned ${describeFalsy(output)} from startup(); ` +
            `a provisioner must return a truthy value for the group to go on.`,
          where,
        );
      }
      const outputSnapshot = snapshotValue(output, registry, where);
      await ledger.updateStep(name, step, {
        state: StepState.Done,
        provisioner: snapshotProvisioner(p, registry, where),
        output: outputSnapshot,
        finishedAt: rt.now().toISOString(),
      });
      events.emit('step:finish', { ...where, durationMs: Date.now() - stepStarted });
      // The next step sees exactly what a resumed run would see.
      input = reviveValue(outputSnapshot, registry);
    } catch (cause) {
      const error = stepError(cause, where, signal);
      await recordFailure(rt, name, step, provisioner, error);
      events.emit('step:fail', { ...where, error });
      events.emit('group:fail', { group: name, error });
      throw error;
    }
  }

  await ledger.moveGroup(name, GroupState.Provisioned, { finishedAt: rt.now().toISOString() });
  events.emit('group:finish', { group: name, durationMs: Date.now() - started });
}

async function recordFailure(
  rt: Runtime,
  name: string,
  step: number,
  provisioner: Provisioner | undefined,
  error: StepFailedError,
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
  if (saved.state === StepState.Running) {
    await rt.ledger.updateStep(name, step, {
      state: StepState.Failed,
      provisioner: snapshot,
      error: errorRecord(error, step),
      finishedAt: rt.now().toISOString(),
    });
  }
  await rt.ledger.moveGroup(name, GroupState.Failed, { error: errorRecord(error, step), finishedAt: rt.now().toISOString() });
}

// A step that fails because the run was cancelled says so, with the reason
// (e.g. "interrupted by SIGINT"), whatever error the provisioner surfaced.
function stepError(cause: unknown, where: { group: string; step: number; provisioner: string }, signal: AbortSignal): StepFailedError {
  if (cause instanceof StepFailedError) return cause;
  const label = `Group "${where.group}" step ${where.step + 1} (${where.provisioner})`;
  const message = signal.aborted ? `${label} was cancelled: ${describeError(signal.reason)}` : `${label} failed: ${describeError(cause)}`;
  return new StepFailedError(message, { ...where, cause });
}

import { describeError, NotSerializableError, ShutdownFailedError } from '../errors.js';
import type { Provisioner } from '../provisioners/contract.js';
import { reviveProvisioner, snapshotProvisioner } from '../serialize/codec.js';
import { needsShutdown } from '../state/transitions.js';
import { GroupState, StepState } from '../state/types.js';
import { reportLines } from './report-lines.js';
import { dependencyOutputs, describeFalsy, errorRecord, makeContext, type Runtime } from './runtime.js';

export interface ShutdownOptions {
  /** Go on through failed shutdowns; the group leaves the state anyway. */
  force: boolean;
  signal: AbortSignal;
}

/**
 * Shut down one group's provisioners in reverse order, working from the
 * snapshot alone, then remove the group from the state. Steps that never
 * started are skipped; each finished shutdown is durable before the next.
 * Without `force`, the first failure stops it and the group is left `failed`
 * (and rejects); with `force`, failures are collected and returned.
 */
export async function deprovisionGroup(rt: Runtime, name: string, options: ShutdownOptions): Promise<ShutdownFailedError[]> {
  const { ledger, events, registry } = rt;
  const elapsed = rt.clock.mark();
  // Refuse before changing anything: a class that is not registered cannot shut its step down.
  if (!options.force) {
    const refused = unrevivable(rt, name);
    if (refused) {
      events.emit('deprovision:fail', { group: name, error: refused });
      throw refused;
    }
  }
  await ledger.moveGroup(name, GroupState.Deprovisioning);
  events.emit('deprovision:start', { group: name });

  const record = ledger.get(name)!;
  const dependencies = dependencyOutputs(rt, record);
  const failures: ShutdownFailedError[] = [];

  for (let step = record.steps.length - 1; step >= 0; step--) {
    const saved = ledger.get(name)!.steps[step]!;
    if (!needsShutdown(saved.state)) continue;
    const where = { group: name, step, provisioner: saved.provisioner.class };
    events.emit('shutdown:start', where);
    let revived: Provisioner | undefined;
    try {
      const provisioner = reviveProvisioner(saved.provisioner, registry, where);
      revived = provisioner;
      provisioner.name = name;
      await ledger.updateStep(name, step, { state: StepState.Stopping });
      const checkpoint = async () => {
        await ledger.updateStep(name, step, {
          provisioner: snapshotProvisioner(provisioner, registry, where),
          report: reportLines(provisioner),
        });
      };
      const ok: unknown = await provisioner.shutdown(makeContext(rt, where, options.signal, dependencies, checkpoint));
      if (!ok) {
        throw new ShutdownFailedError(
          `Group "${name}" step ${step + 1} (${where.provisioner}) returned ${describeFalsy(ok)} from shutdown()${options.force ? '' : '; pass force (--force) to go on anyway'}.`,
          where,
        );
      }
      await ledger.updateStep(name, step, {
        state: StepState.Stopped,
        provisioner: snapshotProvisioner(provisioner, registry, where),
        error: undefined,
        report: reportLines(provisioner),
      });
      events.emit('shutdown:finish', where);
    } catch (cause) {
      const error =
        cause instanceof ShutdownFailedError
          ? cause
          : new ShutdownFailedError(
              `Group "${name}" step ${step + 1} (${where.provisioner}) failed to shut down: ${describeError(cause)}`,
              {
                ...where,
                cause,
              },
            );
      if (ledger.get(name)!.steps[step]!.state === StepState.Stopping) {
        const report = revived ? { report: reportLines(revived) } : {};
        await ledger.updateStep(name, step, { state: StepState.StopFailed, error: errorRecord(error, step), ...report });
      }
      events.emit('shutdown:fail', { ...where, error, forced: options.force });
      if (!options.force) {
        await ledger.moveGroup(name, GroupState.Failed, { error: errorRecord(error, step) });
        events.emit('deprovision:fail', { group: name, error });
        throw error;
      }
      failures.push(error);
    }
  }

  await ledger.remove(name);
  events.emit('deprovision:finish', { group: name, durationMs: elapsed(), failures });
  return failures;
}

function unrevivable(rt: Runtime, name: string): NotSerializableError | undefined {
  const steps = rt.ledger.get(name)!.steps;
  const step = steps.findIndex((s) => needsShutdown(s.state) && !rt.registry.classOf(s.provisioner.class));
  if (step === -1) return undefined;
  const id = steps[step]!.provisioner.class;
  return new NotSerializableError(
    `Group "${name}" cannot be shut down: its step ${step + 1} is class "${id}", which is not registered in this process. ` +
      `Register it: the config that defined it must load (fix it, or pass --config FILE); ` +
      `or run \`teardown --force\` (\`deprovision ${name} --force\`) to drop the record, leaving what it started running.`,
    { group: name, step, provisioner: id },
  );
}

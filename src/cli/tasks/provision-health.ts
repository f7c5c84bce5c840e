// provision's health on reuse: groups already provisioned run their checks;
// an unhealthy one is replaced (with its dependents) before the run, and why is printed.
import type { ResolvedConfig } from '../../config/load.js';
import { selectGroups } from '../../config/select.js';
import type { UnhealthyStep } from '../../scheduler/health.js';
import type { GroupSpec, ReplaceOptions } from '../../scheduler/options.js';
import type { CliArgs } from '../args.js';
import { ExitCode } from '../exit-codes.js';
import { signals, type CliIo } from '../io.js';
import type { ReplaceOutcome } from './provision-drift.js';

/** What repairing needs: a Scheduler over the state file, or the workers (provision-workers.ts), with the same messages. */
export interface Repairer {
  repairUnhealthy(
    specs: readonly GroupSpec[],
    options: ReplaceOptions & { groups: readonly string[] },
  ): Promise<{ unhealthy: UnhealthyStep[]; replaced: ReplaceOutcome | undefined }>;
}

/** Returns an exit code if a replacement did not succeed. The `group:unhealthy` progress line names each reason. */
export async function repairUnhealthy(
  scheduler: Repairer,
  config: ResolvedConfig,
  targets: readonly string[],
  args: CliArgs,
  io: CliIo,
): Promise<number | undefined> {
  const groups = selectGroups(config, targets).map((g) => g.name);
  const { unhealthy, replaced } = await scheduler.repairUnhealthy(config.groups, { groups, ...signals(io) });
  if (!replaced) return undefined;
  const out = args.json ? io.err : io.out; // with --json, stdout carries only the NDJSON events
  for (const u of unhealthy) out(`Unhealthy: ${u.group} step ${u.step + 1} (${u.provisioner}): ${u.reason}`);
  if (replaced.dropped.length > 0) out(`Deprovisioned ${replaced.dropped.join(', ')}: not in the config, so not provisioned again.`);
  if (replaced.run.ok) {
    out(
      `Replaced ${replaced.rescheduled.join(', ')} (unhealthy${replaced.rescheduled.length > unhealthy.length ? ', with dependents' : ''}).`,
    );
    return undefined;
  }
  for (const g of replaced.run.groups.filter((r) => r.state !== 'provisioned'))
    out(`  ${g.group.padEnd(20)} ${g.state}${g.error ? `  ${g.error}` : ''}`);
  out(`Replacing unhealthy ${unhealthy.map((u) => u.group).join(', ')} did not finish.`);
  return replaced.run.aborted ? ExitCode.Interrupted : ExitCode.Failed;
}

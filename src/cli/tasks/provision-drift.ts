// provision's drift handling: show groups whose config changed since they were
// scheduled, and replace them on request (--replace, --replace-drifted).
import type { ResolvedConfig } from '../../config/load.js';
import { selectGroups } from '../../config/select.js';
import { ConfigError } from '../../errors.js';
import { driftOf, formatDrift, type DriftReport } from '../../scheduler/drift.js';
import { dependentClosure, type GraphNode } from '../../scheduler/graph.js';
import type { GroupSpec, ReplaceOptions } from '../../scheduler/options.js';
import { defaultRegistry } from '../../serialize/default-registry.js';
import { readStateFile } from '../../state/file-store.js';
import type { StateData } from '../../state/types.js';
import type { CliArgs } from '../args.js';
import { ExitCode } from '../exit-codes.js';
import { signals, type CliIo } from '../io.js';

const HINT = 'run `groundwork provision --replace-drifted` (or `--replace <group>`) to replace them';

/** How a replace went, as these messages need it: a Scheduler's ReplaceSummary, or the workers' (issue 12). */
export interface ReplaceOutcome {
  rescheduled: string[];
  dropped: string[];
  run: { ok: boolean; aborted: boolean; groups: ReadonlyArray<{ group: string; state: string; error?: string }> };
}

/** What replacing needs: a Scheduler over the state file, or the workers (provision-workers.ts), with the same messages. */
export interface Replacer {
  groups(): string[];
  drift(specs: readonly GroupSpec[]): DriftReport[];
  replace(groups: readonly string[], specs: readonly GroupSpec[], options: ReplaceOptions): Promise<ReplaceOutcome>;
}

/**
 * Before a run: print the drift of the groups it will provision, then replace
 * those asked for (deprovisioned with their dependents, provisioned again from
 * the config). Without a replace flag the saved provisioners are kept, with a
 * warning. Returns an exit code if the replacement did not succeed.
 */
export async function replaceOrWarnDrift(
  scheduler: Replacer,
  config: ResolvedConfig,
  targets: readonly string[],
  args: CliArgs,
  io: CliIo,
): Promise<number | undefined> {
  checkReplaceNames(args.replace, config, scheduler.groups());
  const drift = scheduler.drift(selectGroups(config, targets));
  // With --json, stdout carries only the NDJSON events.
  const out = args.json ? io.err : io.out;
  printDrift(drift, { out });
  const groups = replaced(args, drift);
  if (groups.length === 0) {
    if (drift.length > 0)
      io.err(`warning: ${drift.map((d) => d.group).join(', ')} changed in the config but keep their saved provisioners; ${HINT}.`);
    return undefined;
  }
  out(`Replacing ${groups.join(', ')}: deprovisioning, dependents first, then provisioning again from the config.`);
  const result = await scheduler.replace(groups, config.groups, signals(io));
  if (result.dropped.length > 0) out(`Deprovisioned ${result.dropped.join(', ')}: not in the config, so not provisioned again.`);
  if (result.run.ok) {
    out(`Replaced ${result.rescheduled.join(', ')}.`);
    return undefined;
  }
  for (const g of result.run.groups.filter((r) => r.state !== 'provisioned'))
    out(`  ${g.group.padEnd(20)} ${g.state}${g.error ? `  ${g.error}` : ''}`);
  out(`Replacing ${groups.join(', ')} did not finish.`);
  return result.run.aborted ? ExitCode.Interrupted : ExitCode.Failed;
}

/** The dry-run's part: drift read from the state file (no lock), and "would replace" / "would keep". */
export async function dryRunDrift(stateFile: string, config: ResolvedConfig, targets: readonly string[], args: CliArgs): Promise<string[]> {
  return dryRunDriftOf(await readStateFile(stateFile), config, targets, args);
}

/** dryRunDrift over a state already read (from a database, issue 12). */
export function dryRunDriftOf(state: StateData | undefined, config: ResolvedConfig, targets: readonly string[], args: CliArgs): string[] {
  if (!state) {
    if (args.replace.length > 0) checkReplaceNames(args.replace, config, []);
    return [];
  }
  checkReplaceNames(args.replace, config, Object.keys(state.groups));
  const drift = driftOf(selectGroups(config, targets), (name) => state.groups[name], defaultRegistry());
  const lines: string[] = [];
  printDrift(drift, { out: (l) => lines.push(l) });
  const records = Object.values(state.groups);
  const groups = replaced(args, drift);
  for (const group of groups) lines.push(`would replace ${group}${dependentsNote([group], records)}`);
  const kept = drift.map((d) => d.group).filter((g) => !groups.includes(g));
  if (kept.length > 0) lines.push(`would keep ${kept.join(', ')} with the saved provisioners; ${HINT}`);
  return lines;
}

function replaced(args: CliArgs, drift: readonly DriftReport[]): string[] {
  return [...new Set([...args.replace, ...(args.replaceDrifted ? drift.map((d) => d.group) : [])])];
}

function printDrift(drift: readonly DriftReport[], io: Pick<CliIo, 'out'>): void {
  if (drift.length === 0) return;
  io.out('The config changed since these groups were provisioned:');
  for (const report of drift) for (const line of formatDrift(report)) io.out(`  ${line}`);
}

/** " (and its dependents app, web)", or nothing when no group depends on them. */
function dependentsNote(groups: readonly string[], records: readonly GraphNode[]): string {
  const dependents = [...dependentClosure(groups, records)].filter((n) => !groups.includes(n));
  if (dependents.length === 0) return '';
  return ` (and ${groups.length === 1 ? 'its' : 'their'} dependent${dependents.length === 1 ? '' : 's'} ${dependents.join(', ')})`;
}

function checkReplaceNames(names: readonly string[], config: ResolvedConfig, inState: readonly string[]): void {
  for (const name of names) {
    if (!config.groups.some((g) => g.name === name))
      throw new ConfigError(
        `--replace ${name}: the config has no group ${JSON.stringify(name)} to provision it again; groups: ${config.groups.map((g) => g.name).join(', ') || '(none)'}.`,
      );
    if (!inState.includes(name))
      throw new ConfigError(
        `--replace ${name}: group ${JSON.stringify(name)} is not in the state, so there is nothing to replace; run \`provision ${name}\` without --replace.`,
      );
  }
}

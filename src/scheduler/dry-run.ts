import { dirname, join } from 'node:path';
import type { DriverRegistry } from '../drivers/registry.js';
import { ActionHandler } from '../provisioners/action-handler.js';
import { silentLogger } from '../logger.js';
import type { Provisioner, ProvisionerContext } from '../provisioners/contract.js';
import { reviveProvisioner } from '../serialize/codec.js';
import type { ProvisionerRegistry } from '../serialize/registry.js';
import { readStateFile } from '../state/file-store.js';
import { StepState, type GroupRecord, type StateData } from '../state/types.js';
import type { GroupSpec } from './options.js';

/** Shown in place of the state's id before the state exists (names derived from it are not known yet). */
export const NEW_STATE_ID = '<new>';

/**
 * The plan of a `provision --dry-run`: for each group in dependency order, each
 * step that would run and what it would do ("would …"), from its `plan()` with
 * a why-run ActionHandler. Reads the state file without its lock and writes
 * nothing: no state file, no lock, no machine.
 */
export async function dryRunPlan(options: {
  stateFile: string;
  groups: readonly GroupSpec[];
  registry: ProvisionerRegistry;
  drivers: DriverRegistry;
  /** A state read elsewhere (a database, issue 12) in place of the state file; `source` names it. */
  state?: { data: StateData | undefined; source: string };
}): Promise<string[]> {
  const state = options.state ? options.state.data : await readStateFile(options.stateFile);
  const source = options.state?.source ?? options.stateFile;
  const stateId = state?.id ?? NEW_STATE_ID;
  const lines: string[] = [`Dry run against ${source}${state ? ` (state ${state.id})` : ' (no state yet)'}; nothing is changed.`];
  for (const spec of inDependencyOrder(options.groups)) {
    const record = state?.groups[spec.name];
    lines.push(`group ${spec.name}${record ? ` (${record.state})` : ''}:`);
    const steps = record ? savedSteps(record, options.registry) : freshSteps(spec);
    for (const [index, step] of steps.entries()) {
      const label = `  ${index + 1}. ${step.provisioner.constructor.name}`;
      if (step.done) {
        lines.push(`${label}: done, would be skipped`);
        continue;
      }
      step.provisioner.name = spec.name;
      const actions: string[] = [];
      const ctx = planContext({ group: spec.name, step: index, stateId, stateFile: options.stateFile, drivers: options.drivers }, actions);
      if (step.provisioner.plan) await step.provisioner.plan(ctx);
      else await ctx.actions.performAction(`run ${step.provisioner.constructor.name} startup`, () => undefined);
      lines.push(`${label}:`, ...actions.map((a) => `       ${a}`));
    }
  }
  return lines;
}

function savedSteps(record: GroupRecord, registry: ProvisionerRegistry): Array<{ provisioner: Provisioner; done: boolean }> {
  return record.steps.map((s, step) => ({
    provisioner: reviveProvisioner(s.provisioner, registry, { group: record.name, step }),
    done: s.state === StepState.Done,
  }));
}

function freshSteps(spec: GroupSpec): Array<{ provisioner: Provisioner; done: boolean }> {
  const provisioners = typeof spec.provisioners === 'function' ? spec.provisioners() : spec.provisioners;
  return provisioners.map((provisioner) => ({ provisioner, done: false }));
}

function planContext(
  {
    group,
    step,
    stateId,
    stateFile,
    drivers,
  }: { group: string; step: number; stateId: string; stateFile: string; drivers: DriverRegistry },
  actions: string[],
): ProvisionerContext {
  return {
    group,
    step,
    signal: new AbortController().signal,
    logger: silentLogger,
    dependencies: {},
    dataDir: join(dirname(stateFile), 'data'),
    stateId,
    actions: new ActionHandler({ logger: silentLogger, whyRun: true, actions }),
    drivers,
    checkpoint: async () => {},
  };
}

function inDependencyOrder(groups: readonly GroupSpec[]): GroupSpec[] {
  const done = new Set<string>();
  const names = new Set(groups.map((g) => g.name));
  const ordered: GroupSpec[] = [];
  while (ordered.length < groups.length) {
    const ready = groups.filter((g) => !done.has(g.name) && (g.dependsOn ?? []).every((d) => done.has(d) || !names.has(d)));
    if (ready.length === 0) break; // a cycle: the config check reports it
    for (const g of ready) {
      ordered.push(g);
      done.add(g.name);
    }
  }
  return ordered;
}

import { describeError } from '../errors.js';
import { reviveProvisioner } from '../serialize/codec.js';
import type { ProvisionerRegistry } from '../serialize/registry.js';
import type { GroupRecord, GroupState, StateData, StepState } from '../state/types.js';

/** Format version of `status --json`; bumped on any incompatible change. */
export const STATUS_VERSION = 1;

export interface StepStatus {
  index: number;
  provisioner: string;
  state: StepState;
  report: string[];
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
}

export interface GroupStatus {
  name: string;
  state: GroupState;
  dependsOn: string[];
  blockedBy: string[];
  scheduledAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
  steps: StepStatus[];
}

export interface StatusReport {
  version: typeof STATUS_VERSION;
  stateFile: string;
  stateId: string | null;
  groups: GroupStatus[];
}

function duration(start?: string, end?: string): number | null {
  return start && end ? Date.parse(end) - Date.parse(start) : null;
}

/** Per group: its state, each provisioner's report() lines, timings and error. Works from the snapshot alone. */
export function groupStatus(record: GroupRecord, registry: ProvisionerRegistry): GroupStatus {
  return {
    name: record.name,
    state: record.state,
    dependsOn: [...record.dependsOn],
    blockedBy: [...(record.blockedBy ?? [])],
    scheduledAt: record.scheduledAt,
    startedAt: record.startedAt ?? null,
    finishedAt: record.finishedAt ?? null,
    durationMs: duration(record.startedAt, record.finishedAt),
    error: record.error?.message ?? null,
    steps: record.steps.map((step, index) => ({
      index,
      provisioner: step.provisioner.class,
      state: step.state,
      report: reportLines(record.name, index, step.provisioner, registry),
      startedAt: step.startedAt ?? null,
      finishedAt: step.finishedAt ?? null,
      durationMs: duration(step.startedAt, step.finishedAt),
      error: step.error?.message ?? null,
    })),
  };
}

export function statusReport(stateFile: string, data: StateData | undefined, registry: ProvisionerRegistry): StatusReport {
  return {
    version: STATUS_VERSION,
    stateFile,
    stateId: data?.id ?? null,
    groups: Object.values(data?.groups ?? {}).map((g) => groupStatus(g, registry)),
  };
}

function reportLines(
  group: string,
  step: number,
  snapshot: GroupRecord['steps'][number]['provisioner'],
  registry: ProvisionerRegistry,
): string[] {
  try {
    const lines = reviveProvisioner(snapshot, registry, { group, step }).report();
    return Array.isArray(lines) ? lines.map(String) : [String(lines)];
  } catch (error) {
    return [`(report unavailable: ${describeError(error)})`];
  }
}

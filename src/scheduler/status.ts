import { reviveProvisioner } from '../serialize/codec.js';
import type { ProvisionerRegistry } from '../serialize/registry.js';
import type { GroupRecord, GroupState, StateData, StepRecord, StepState } from '../state/types.js';
import { describeError } from '../errors.js';
import { groupOutput } from './group-output.js';
import { reportLines } from './report-lines.js';

/**
 * Format version of `status --json`; bumped on any incompatible change.
 * 2: `output` per group, `reportFrom` and `stack` per step.
 */
export const STATUS_VERSION = 2;

/** Where a step's report lines come from (README "status --json"). */
export const ReportFrom = { Live: 'live', Recorded: 'recorded', None: 'none' } as const;
export type ReportFrom = (typeof ReportFrom)[keyof typeof ReportFrom];

export interface StepStatus {
  index: number;
  provisioner: string;
  state: StepState;
  report: string[];
  reportFrom: ReportFrom;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  error: string | null;
  /** The failing provisioner's stack, if recorded (plain `status` shows it with -v). */
  stack: string | null;
  /** Worker mode (issue 12): the worker that ran (or runs) the step, from the steps row. */
  worker?: string | null;
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
  /** What the last step returned, once it is done (else null); secret-looking values redacted. */
  output: unknown;
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

/**
 * Per group: its state, each provisioner's report() lines, timings, error and
 * output. Works from the snapshot alone: a class registered here reports live
 * (e.g. whether a pid still runs); otherwise the lines recorded at its last write are shown.
 */
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
    output: groupOutput(record) ?? null,
    steps: record.steps.map((step, index) => ({
      index,
      provisioner: step.provisioner.class,
      state: step.state,
      ...report(record.name, index, step, registry),
      startedAt: step.startedAt ?? null,
      finishedAt: step.finishedAt ?? null,
      durationMs: duration(step.startedAt, step.finishedAt),
      error: step.error?.message ?? null,
      stack: step.error?.stack ?? null,
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

function report(group: string, index: number, step: StepRecord, registry: ProvisionerRegistry): Pick<StepStatus, 'report' | 'reportFrom'> {
  if (registry.classOf(step.provisioner.class)) {
    try {
      return { report: reportLines(reviveProvisioner(step.provisioner, registry, { group, step: index })), reportFrom: ReportFrom.Live };
    } catch (error) {
      if (!step.report) return { report: [`(report unavailable: ${describeError(error)})`], reportFrom: ReportFrom.None };
    }
  }
  if (step.report) return { report: [...step.report], reportFrom: ReportFrom.Recorded };
  return { report: ['(no report recorded)'], reportFrom: ReportFrom.None };
}

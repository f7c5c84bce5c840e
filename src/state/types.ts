import type { ProvisionerSnapshot, ValueSnapshot } from '../serialize/codec.js';

/**
 * The state file's format version. Version 2 added the journal (`seq`) and a
 * checksum; version 1 files are still read. Other versions are refused.
 */
export const STATE_VERSION = 2;
export const READABLE_VERSIONS: readonly number[] = [1, 2];

/** Lifecycle of a server group. */
export const GroupState = {
  Pending: 'pending',
  Provisioning: 'provisioning',
  Provisioned: 'provisioned',
  Failed: 'failed',
  Blocked: 'blocked',
  Deprovisioning: 'deprovisioning',
} as const;
export type GroupState = (typeof GroupState)[keyof typeof GroupState];

/** Lifecycle of one provisioner in a group's pipeline. */
export const StepState = {
  Pending: 'pending',
  Running: 'running',
  Done: 'done',
  Failed: 'failed',
  Stopping: 'stopping',
  Stopped: 'stopped',
  StopFailed: 'stop-failed',
} as const;
export type StepState = (typeof StepState)[keyof typeof StepState];

export interface ErrorRecord {
  message: string;
  code?: string;
  /** Zero-based step the error concerns, if any. */
  step?: number;
  /** Stack of the provisioner's own error (the cause), shown by `status -v`. */
  stack?: string;
}

export interface StepRecord {
  provisioner: ProvisionerSnapshot;
  state: StepState;
  /** The startup's return value, present once the step is done. */
  output?: ValueSnapshot;
  startedAt?: string;
  finishedAt?: string;
  error?: ErrorRecord;
  /**
   * The provisioner's report() lines as of its last write (done, failed,
   * checkpoint, shutdown), so `status` can show them with no class registered.
   */
  report?: string[];
}

export interface GroupRecord {
  name: string;
  dependsOn: string[];
  state: GroupState;
  steps: StepRecord[];
  scheduledAt: string;
  startedAt?: string;
  finishedAt?: string;
  error?: ErrorRecord;
  blockedBy?: string[];
  /**
   * The provisioners as the config built them when the group was scheduled
   * (before any startup), to tell when the config has changed since. Absent
   * in states written before fingerprints existed: no drift is reported for those.
   */
  fingerprint?: StepFingerprint[];
}

/** One step as the config built it: its class id and its saved fields, each rendered as stable text. */
export interface StepFingerprint {
  class: string;
  fields: Record<string, string>;
}

export interface StateData {
  version: typeof STATE_VERSION;
  /** Random id of this state, used to tag what it owns. */
  id: string;
  createdAt: string;
  groups: Record<string, GroupRecord>;
}

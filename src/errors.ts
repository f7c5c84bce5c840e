/** Stable machine-readable codes carried by every Groundwork error. */
export const ErrorCode = {
  Config: 'GW_CONFIG',
  Graph: 'GW_GRAPH',
  NotSerializable: 'GW_NOT_SERIALIZABLE',
  UnknownGroup: 'GW_UNKNOWN_GROUP',
  StepFailed: 'GW_STEP_FAILED',
  ShutdownFailed: 'GW_SHUTDOWN_FAILED',
  GroupFailed: 'GW_GROUP_FAILED',
  HasDependents: 'GW_HAS_DEPENDENTS',
  StateFile: 'GW_STATE_FILE',
  Locked: 'GW_LOCKED',
  Transition: 'GW_TRANSITION',
  Busy: 'GW_BUSY',
  Driver: 'GW_DRIVER',
  NotOwned: 'GW_NOT_OWNED',
  MachineBatch: 'GW_MACHINE_BATCH',
  MachineCommand: 'GW_MACHINE_COMMAND',
  MachineConnect: 'GW_MACHINE_CONNECT',
  HostKeyMismatch: 'GW_HOST_KEY_MISMATCH',
  MachineTransfer: 'GW_MACHINE_TRANSFER',
  Key: 'GW_KEY',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface GroundworkErrorDetails {
  group?: string;
  step?: number;
  provisioner?: string;
  cause?: unknown;
}

/** Base class: a stable `code`, the group/step it concerns, and the `cause`. */
export class GroundworkError extends Error {
  readonly code: ErrorCode;
  readonly group: string | undefined;
  readonly step: number | undefined;
  readonly provisioner: string | undefined;

  constructor(code: ErrorCode, message: string, details: GroundworkErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.group = details.group;
    this.step = details.step;
    this.provisioner = details.provisioner;
  }
}

/** Bad configuration or arguments; the message names the field and the value. */
export class ConfigError extends GroundworkError {
  constructor(message: string, details: GroundworkErrorDetails = {}) {
    super(ErrorCode.Config, message, details);
  }
}

/** Unknown dependencies, self-dependencies and cycles. */
export class GraphError extends GroundworkError {
  constructor(
    message: string,
    readonly cycle: readonly string[] = [],
  ) {
    super(ErrorCode.Graph, message);
  }
}

export class NotSerializableError extends GroundworkError {
  constructor(message: string, details: GroundworkErrorDetails & { path?: string } = {}) {
    super(ErrorCode.NotSerializable, message, details);
    this.path = details.path;
  }
  readonly path: string | undefined;
}

export class UnknownGroupError extends GroundworkError {
  constructor(group: string, known: readonly string[]) {
    const list = known.length > 0 ? known.join(', ') : '(none)';
    super(ErrorCode.UnknownGroup, `Group "${group}" is not scheduled; known groups: ${list}.`, { group });
  }
}

/** A provisioner's startup threw or returned a falsy value. */
export class StepFailedError extends GroundworkError {
  constructor(message: string, details: Required<Pick<GroundworkErrorDetails, 'group' | 'step' | 'provisioner'>> & { cause?: unknown }) {
    super(ErrorCode.StepFailed, message, details);
  }
}

/** A provisioner's shutdown threw or returned a falsy value. */
export class ShutdownFailedError extends GroundworkError {
  constructor(message: string, details: Required<Pick<GroundworkErrorDetails, 'group' | 'step' | 'provisioner'>> & { cause?: unknown }) {
    super(ErrorCode.ShutdownFailed, message, details);
  }
}

/** `waitFor` target failed, was blocked, or a deprovision could not finish. */
export class GroupFailedError extends GroundworkError {
  constructor(message: string, group: string, cause?: unknown) {
    super(ErrorCode.GroupFailed, message, { group, cause });
  }
}

export class HasDependentsError extends GroundworkError {
  constructor(
    group: string,
    readonly dependents: readonly string[],
  ) {
    super(
      ErrorCode.HasDependents,
      `Cannot deprovision "${group}": ${dependents.map((d) => `"${d}"`).join(', ')} still depend${dependents.length === 1 ? 's' : ''} on it. ` +
        `Deprovision ${dependents.length === 1 ? 'it' : 'them'} first, or pass cascade (--cascade) to deprovision dependents too.`,
      { group },
    );
  }
}

/** The state file is unreadable, corrupt, or of an unknown version. It is never overwritten. */
export class StateFileError extends GroundworkError {
  constructor(
    readonly file: string,
    message: string,
    cause?: unknown,
  ) {
    super(ErrorCode.StateFile, message, { cause });
  }
}

export interface LockOwner {
  /** Random id of this lock; `tasks.ts unlock <id>` removes it. */
  id: string;
  pid: number;
  host: string;
  since: string;
  /** The owner's start time (see processStartTime), so a reused pid is not taken for the owner. */
  startTime?: number;
}

export class StateLockedError extends GroundworkError {
  constructor(
    readonly file: string,
    readonly owner: LockOwner,
  ) {
    super(
      ErrorCode.Locked,
      `State file ${file} is locked by pid ${owner.pid} (${owner.host}, since ${owner.since}), lock id ${owner.id || '(none)'}. ` +
        `Wait for that process to finish. A lock whose process has exited on this host is taken over automatically; ` +
        `if the owner is gone (it ran on another host), run \`npx tsx tasks.ts unlock ${owner.id || '<id>'}\`.`,
    );
  }
}

/** `unlock` was refused: wrong id, or the owner still runs. */
export class UnlockRefusedError extends GroundworkError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(ErrorCode.Locked, `Did not unlock ${file}: ${reason}.`);
  }
}

export class TransitionError extends GroundworkError {
  /** `subject` is e.g. `Group "db"` or `Group "db" step 2`. */
  constructor(subject: string, from: string, to: string, group?: string) {
    super(ErrorCode.Transition, `${subject} cannot move from ${from} to ${to}.`, group === undefined ? {} : { group });
  }
}

/** run(), deprovision() and teardown() of one Scheduler do not overlap. */
export class SchedulerBusyError extends GroundworkError {
  constructor(running: string, requested: string) {
    super(ErrorCode.Busy, `Cannot start ${requested}() while ${running}() is under way on this scheduler; await it first.`);
  }
}

export interface MachineErrorDetails extends GroundworkErrorDetails {
  machine?: string;
  driverUrl?: string;
}

/** A driver could not allocate, ready, stop or destroy a machine (or cannot work here, e.g. needs root). */
export class DriverError extends GroundworkError {
  readonly machine: string | undefined;
  readonly driverUrl: string | undefined;
  constructor(message: string, details: MachineErrorDetails = {}) {
    super(ErrorCode.Driver, message, details);
    this.machine = details.machine;
    this.driverUrl = details.driverUrl;
  }
}

/** "Don't destroy things you didn't just create": the machine's reference carries another state's id. */
export class NotOwnedError extends GroundworkError {
  constructor(
    readonly machine: string,
    readonly ownerId: string,
    readonly stateId: string,
  ) {
    super(
      ErrorCode.NotOwned,
      `Machine "${machine}" belongs to state ${ownerId}, not to this state (${stateId}); refusing to destroy it. ` +
        `Destroy it from the state that created it, or force it (--force) if you are sure it is abandoned.`,
    );
  }
}

/** Some machines of a batch failed; `failures` names each one with its error. The others reached their final state. */
export class MachineBatchError extends GroundworkError {
  constructor(
    readonly operation: string,
    readonly failures: ReadonlyArray<{ machine: string; error: unknown }>,
    readonly total: number,
  ) {
    const lines = failures.map((f) => `  ${f.machine}: ${describeError(f.error)}`);
    super(
      ErrorCode.MachineBatch,
      `${operation} failed for ${failures.length} of ${total} machine(s):\n${lines.join('\n')}`,
      failures.length === 1 ? { cause: failures[0]!.error } : {},
    );
  }
}

/** Short human text for any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

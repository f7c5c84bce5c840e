import type { ExecuteResult } from './machines/machine.js';

/** Stable machine-readable codes carried by every Groundwork error. */
export const ErrorCode = {
  Config: 'GW_CONFIG',
  Graph: 'GW_GRAPH',
  NotSerializable: 'GW_NOT_SERIALIZABLE',
  UnknownGroup: 'GW_UNKNOWN_GROUP',
  StepFailed: 'GW_STEP_FAILED',
  ShutdownFailed: 'GW_SHUTDOWN_FAILED',
  GroupFailed: 'GW_GROUP_FAILED',
  GroupBlocked: 'GW_GROUP_BLOCKED',
  TeardownFailed: 'GW_TEARDOWN_FAILED',
  HasDependents: 'GW_HAS_DEPENDENTS',
  StateFile: 'GW_STATE_FILE',
  Locked: 'GW_LOCKED',
  UnlockRefused: 'GW_UNLOCK_REFUSED',
  StoreClosed: 'GW_STORE_CLOSED',
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
  Process: 'GW_PROCESS',
  NotReady: 'GW_NOT_READY',
  CheckFailed: 'GW_CHECK_FAILED',
  // plugins-model (issue 11)
  Plugin: 'GW_PLUGIN',
  // plugins-cluster (issue 11)
  PluginTask: 'GW_PLUGIN_TASK',
  // State in PostgreSQL (issue 12, pg-store)
  DatabaseUnreachable: 'GW_DATABASE_UNREACHABLE',
  SchemaVersion: 'GW_SCHEMA_VERSION',
  DatabaseLocked: 'GW_DATABASE_LOCKED',
  // pg-workers (issue 12)
  Fenced: 'GW_FENCED',
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

/** `waitFor` target failed or was blocked, a deprovision could not finish, or a group is mid-deprovision. */
export class GroupFailedError extends GroundworkError {
  constructor(message: string, group: string, cause?: unknown) {
    super(ErrorCode.GroupFailed, message, { group, cause });
  }
}

/** Recorded on a group that did not start because groups it depends on did not provision. */
export class GroupBlockedError extends GroundworkError {
  constructor(
    group: string,
    readonly blockedBy: readonly string[],
  ) {
    super(ErrorCode.GroupBlocked, `blocked: ${blockedBy.join(', ')} did not provision`, { group });
  }
}

/** A teardown left groups behind; `failed` names each with its error. */
export class TeardownFailedError extends GroundworkError {
  constructor(
    what: string,
    readonly failed: ReadonlyArray<{ group: string; error: string }>,
    readonly kept: readonly string[] = [],
  ) {
    const lines = [...failed.map((f) => `${f.group} (${f.error})`), ...kept.map((g) => `${g} (kept)`)];
    super(
      ErrorCode.TeardownFailed,
      `${what}: ${lines.join('; ') || 'not every group was removed'}. ` +
        `Fix the cause, then run \`npx tsx tasks.ts teardown\` (add --force to go past failing shutdowns).`,
      failed[0] ? { group: failed[0].group } : {},
    );
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

/** The state store (or its journal) was used before open() or after close(). */
export class StoreClosedError extends GroundworkError {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(ErrorCode.StoreClosed, message);
  }
}

/** `unlock` was refused: wrong id, or the owner still runs. */
export class UnlockRefusedError extends GroundworkError {
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(ErrorCode.UnlockRefused, `Did not unlock ${file}: ${reason}.`);
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

/** A private key name is unknown, invalid or unreadable. Never carries key text. */
export class KeyError extends GroundworkError {
  constructor(
    readonly keyName: string,
    message: string,
    cause?: unknown,
  ) {
    super(ErrorCode.Key, message, { cause });
  }
}

/** A local process could not be started, or could not be stopped. */
export class ProcessError extends GroundworkError {
  readonly command: string | undefined;
  readonly pid: number | undefined;
  constructor(message: string, details: GroundworkErrorDetails & { command?: string; pid?: number } = {}) {
    super(ErrorCode.Process, message, details);
    this.command = details.command;
    this.pid = details.pid;
  }
}

/** A service did not accept connections on `host:port` in time, or exited before it did. */
export class NotReadyError extends GroundworkError {
  readonly host: string;
  readonly port: number;
  constructor(message: string, details: GroundworkErrorDetails & { host: string; port: number }) {
    super(ErrorCode.NotReady, message, details);
    this.host = details.host;
    this.port = details.port;
  }
}

/** A check (HttpCheck) did not get the expected answer before its deadline. */
export class CheckFailedError extends GroundworkError {
  readonly url: string;
  constructor(message: string, details: GroundworkErrorDetails & { url: string }) {
    super(ErrorCode.CheckFailed, message, details);
    this.url = details.url;
  }
}

// --- plugins-model (issue 11) ---
/** A plugin descriptor, its class or executable, or its field values are wrong; `descriptorFile` names the descriptor. */
export class PluginError extends GroundworkError {
  constructor(
    readonly descriptorFile: string | undefined,
    message: string,
    cause?: unknown,
  ) {
    super(ErrorCode.Plugin, message, { cause });
  }
}
// --- end plugins-model ---

// --- plugins-cluster (issue 11) ---
/** A plugin task of a loomCluster ended with a status other than 0 (or threw); names the node, the task and the plugin. */
export class PluginTaskError extends GroundworkError {
  constructor(
    readonly node: string,
    readonly taskId: string,
    readonly plugin: string,
    readonly status: number,
    message: string,
    details: GroundworkErrorDetails = {},
  ) {
    super(ErrorCode.PluginTask, message, details);
  }
}
// --- end plugins-cluster ---
// ---- State in PostgreSQL (issue 12, pg-store). `url` is always redacted (no password). ----

/** The database could not be reached (at start, or still not after the reconnect backoff). */
export class DatabaseUnreachableError extends GroundworkError {
  constructor(
    readonly url: string,
    detail: string,
    cause?: unknown,
  ) {
    super(
      ErrorCode.DatabaseUnreachable,
      `Cannot reach the state database ${url}: ${detail}. Check that PostgreSQL runs there and accepts this user ` +
        `(the URL comes from --database, GROUNDWORK_DATABASE_URL or the config's \`database.url\`), then run again.`,
      { cause },
    );
  }
}

/** The database's Groundwork schema is at a version this code does not know. Nothing was changed. */
export class SchemaVersionError extends GroundworkError {
  constructor(
    readonly url: string,
    readonly found: string,
    readonly known: number,
  ) {
    super(
      ErrorCode.SchemaVersion,
      `The state database ${url} has Groundwork schema version ${found}, but this Groundwork knows version ${known}. ` +
        `Nothing was changed; use the Groundwork version that wrote it (or a newer one), or point --database at another database.`,
    );
  }
}

/** Another process owns this state in the database (its session advisory lock). */
export class DatabaseLockedError extends GroundworkError {
  constructor(
    readonly url: string,
    readonly state: string,
    readonly holder: string,
  ) {
    super(
      ErrorCode.DatabaseLocked,
      `State "${state}" in ${url} is in use by another Groundwork process (${holder}). ` +
        `Wait for it to finish; the lock ends by itself when that process exits or its connection drops.`,
    );
  }
}

const OUTPUT_IN_MESSAGE = 4_000;

/**
 * Something failed on one machine: a command, the connection, a transfer.
 * Like execa's error, `shortMessage` is the one line and `message` adds what
 * helps (the command's output); `machine` says where.
 */
export abstract class MachineError extends GroundworkError {
  readonly machine: string;
  readonly shortMessage: string;
  constructor(code: ErrorCode, details: { machine: string; shortMessage: string; message?: string; cause?: unknown }) {
    super(code, details.message ?? details.shortMessage, { cause: details.cause });
    this.machine = details.machine;
    this.shortMessage = details.shortMessage;
  }
}

/** The fields of ExecuteResult, set once by MachineCommandError's constructor. */
export interface MachineCommandError extends ExecuteResult {}

/**
 * A command on a machine failed: non-zero or missing exit code, killed by a
 * signal, timed out, cancelled, or its connection dropped. Carries the whole
 * result (exitCode, signal, stdout, stderr, durationMs, timedOut, isCanceled).
 */
export class MachineCommandError extends MachineError {
  constructor(result: ExecuteResult, details: { timeoutMs?: number; cause?: unknown } = {}) {
    const shortMessage = describeCommandFailure(result, details);
    const output = [result.stderr, result.stdout].filter((text) => text.trim() !== '').map((text) => tail(text.trim(), OUTPUT_IN_MESSAGE));
    super(ErrorCode.MachineCommand, {
      machine: result.machine,
      shortMessage,
      message: [shortMessage, ...output].join('\n\n'),
      cause: details.cause,
    });
    Object.assign(this, result, { failed: true });
  }
}

function describeCommandFailure(result: ExecuteResult, details: { timeoutMs?: number; cause?: unknown }): string {
  const on = `on ${result.machine}`;
  if (result.timedOut) {
    const after = details.timeoutMs === undefined ? '' : ` after ${details.timeoutMs} ms`;
    return `Command timed out${after} ${on}: ${result.command}`;
  }
  if (result.isCanceled) return `Command was canceled ${on}: ${result.command}`;
  if (result.signal !== undefined) return `Command was killed with ${result.signal} ${on}: ${result.command}`;
  if (result.exitCode !== undefined) return `Command failed ${on} with exit code ${result.exitCode}: ${result.command}`;
  const why = details.cause === undefined ? 'without an exit code' : `without an exit code (${describeError(details.cause)})`;
  return `Command failed ${on} ${why}: ${result.command}`;
}

function tail(text: string, max: number): string {
  return text.length <= max ? text : `…${text.slice(-max)}`;
}

interface Endpoint {
  machine: string;
  host: string;
  port: number;
}

/** A connection to a machine could not be made or was lost; the message says what to do next, `host`/`port` where. */
export class MachineConnectError extends MachineError {
  readonly host: string;
  readonly port: number;
  constructor(message: string, details: Endpoint & { cause?: unknown }) {
    super(ErrorCode.MachineConnect, { machine: details.machine, shortMessage: message, cause: details.cause });
    this.host = details.host;
    this.port = details.port;
  }
}

/** The machine presented a host key other than the one pinned in its reference. Never retried. */
export class HostKeyMismatchError extends MachineError {
  readonly host: string;
  readonly port: number;
  readonly expected: string;
  readonly received: string;
  constructor(details: Endpoint & { expected: string; received: string }) {
    super(ErrorCode.HostKeyMismatch, {
      machine: details.machine,
      shortMessage:
        `Host key of ${details.machine} (${details.host}:${details.port}) does not match the one recorded at first connect: ` +
        `expected ${details.expected}, received ${details.received}. If the machine was rebuilt, destroy and re-create it so the new key is recorded; ` +
        `otherwise something else answers at that address.`,
    });
    this.host = details.host;
    this.port = details.port;
    this.expected = details.expected;
    this.received = details.received;
  }
}

/** An upload, download, writeFile or readFile failed, timed out or was cancelled. */
export class MachineTransferError extends MachineError {
  readonly operation: string;
  readonly path: string;
  readonly timedOut: boolean;
  readonly isCanceled: boolean;
  constructor(details: {
    machine: string;
    operation: string;
    path: string;
    timedOut?: boolean;
    isCanceled?: boolean;
    timeoutMs?: number;
    cause?: unknown;
  }) {
    const what = `${details.operation} ${details.path} on ${details.machine}`;
    const shortMessage = details.timedOut
      ? `${what} timed out after ${details.timeoutMs} ms.`
      : details.isCanceled
        ? `${what} was canceled.`
        : `${what} failed: ${describeError(details.cause)}`;
    super(ErrorCode.MachineTransfer, { machine: details.machine, shortMessage, cause: details.cause });
    this.operation = details.operation;
    this.path = details.path;
    this.timedOut = details.timedOut ?? false;
    this.isCanceled = details.isCanceled ?? false;
  }
}

// --- pg-workers (issue 12) ---

/**
 * A worker's write for a step attempt that is no longer the current one: its
 * lease ended (the worker was stopped or cut off past the lease timeout) and
 * the step was handed to attempt `current`. The write is refused; the worker
 * abandons the step and goes on with other work.
 */
export class StepFencedError extends GroundworkError {
  constructor(
    readonly where: { group: string; step: number; provisioner?: string },
    readonly attempt: number,
    readonly worker: string,
  ) {
    super(
      ErrorCode.Fenced,
      `Group "${where.group}" step ${where.step + 1}: attempt ${attempt} (worker ${worker}) lost its lease and was taken over; ` +
        `its write was refused. Nothing to do: the current attempt's result is the one that counts ` +
        `(raise --lease-timeout if steps are often paused this long).`,
      { group: where.group, step: where.step, ...(where.provisioner ? { provisioner: where.provisioner } : {}) },
    );
  }
}
// --- end pg-workers ---

/** Short human text for any thrown value. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

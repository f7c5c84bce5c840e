import { ErrorCode, GroundworkError, describeError } from '../errors.js';
import type { ExecuteResult } from './machine.js';

const OUTPUT_IN_MESSAGE = 4_000;

/**
 * A command on a machine failed: non-zero or missing exit code, killed by a
 * signal, timed out, cancelled, or its connection dropped. Carries the whole
 * result (like execa's error): `message` is the short line plus the output,
 * `shortMessage` the line alone.
 */
export class MachineCommandError extends GroundworkError implements ExecuteResult {
  readonly machine: string;
  readonly command: string;
  readonly exitCode: number | undefined;
  readonly signal: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly durationMs: number;
  readonly timedOut: boolean;
  readonly isCanceled: boolean;
  readonly failed = true;
  readonly shortMessage: string;

  constructor(result: ExecuteResult, details: { timeoutMs?: number; cause?: unknown } = {}) {
    const short = describeCommandFailure(result, details);
    const output = [result.stderr, result.stdout].filter((text) => text.trim() !== '').map((text) => tail(text.trim(), OUTPUT_IN_MESSAGE));
    super(ErrorCode.MachineCommand, [short, ...output].join('\n\n'), { cause: details.cause });
    this.shortMessage = short;
    this.machine = result.machine;
    this.command = result.command;
    this.exitCode = result.exitCode;
    this.signal = result.signal;
    this.stdout = result.stdout;
    this.stderr = result.stderr;
    this.durationMs = result.durationMs;
    this.timedOut = result.timedOut;
    this.isCanceled = result.isCanceled;
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

export interface MachineConnectErrorDetails {
  machine: string;
  host: string;
  port: number;
  cause?: unknown;
}

/**
 * A connection to a machine could not be made or was lost. The message says
 * what happened and what to do next; `host`/`port` say where.
 */
export class MachineConnectError extends GroundworkError {
  readonly machine: string;
  readonly host: string;
  readonly port: number;

  constructor(message: string, details: MachineConnectErrorDetails) {
    super(ErrorCode.MachineConnect, message, { cause: details.cause });
    this.machine = details.machine;
    this.host = details.host;
    this.port = details.port;
  }
}

/** The machine presented a host key other than the one pinned in its reference. Never retried. */
export class HostKeyMismatchError extends GroundworkError {
  readonly machine: string;
  readonly host: string;
  readonly port: number;
  readonly expected: string;
  readonly received: string;

  constructor(details: { machine: string; host: string; port: number; expected: string; received: string }) {
    super(
      ErrorCode.HostKeyMismatch,
      `Host key of ${details.machine} (${details.host}:${details.port}) does not match the one recorded at first connect: ` +
        `expected ${details.expected}, received ${details.received}. If the machine was rebuilt, destroy and re-create it so the new key is recorded; ` +
        `otherwise something else answers at that address.`,
    );
    this.machine = details.machine;
    this.host = details.host;
    this.port = details.port;
    this.expected = details.expected;
    this.received = details.received;
  }
}

/** An upload, download, writeFile or readFile failed, timed out or was cancelled. */
export class MachineTransferError extends GroundworkError {
  readonly machine: string;
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
    const message = details.timedOut
      ? `${what} timed out after ${details.timeoutMs} ms.`
      : details.isCanceled
        ? `${what} was canceled.`
        : `${what} failed: ${describeError(details.cause)}`;
    super(ErrorCode.MachineTransfer, message, { cause: details.cause });
    this.machine = details.machine;
    this.operation = details.operation;
    this.path = details.path;
    this.timedOut = details.timedOut ?? false;
    this.isCanceled = details.isCanceled ?? false;
  }
}

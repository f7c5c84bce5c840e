// The error classes as a whole: one place, one code each, all public, and no
// plain Error left in src/ outside a short allowlist that says why.
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { expect, test } from 'vitest';
import * as errors from '../src/errors.js';
import * as api from '../src/index.js';
import type { ExecuteResult } from '../src/machines/machine.js';

const { ErrorCode, GroundworkError } = errors;

const result: ExecuteResult = {
  machine: 'web1',
  command: 'false',
  exitCode: 1,
  signal: undefined,
  stdout: '',
  stderr: 'boom',
  durationMs: 5,
  timedOut: false,
  isCanceled: false,
  failed: true,
};
const owner = { id: 'lock-1', pid: 1, host: 'h', since: 'now' };
const endpoint = { machine: 'web1', host: '127.0.0.1', port: 22 };

/** One instance of every concrete error class, made the way src/ makes it. A new class must be added here. */
const samples: Record<string, () => errors.GroundworkError> = {
  ConfigError: () => new errors.ConfigError('bad'),
  GraphError: () => new errors.GraphError('cycle', ['a', 'a']),
  NotSerializableError: () => new errors.NotSerializableError('fn', { path: 'x' }),
  UnknownGroupError: () => new errors.UnknownGroupError('g', []),
  StepFailedError: () => new errors.StepFailedError('f', { group: 'g', step: 0, provisioner: 'P' }),
  ShutdownFailedError: () => new errors.ShutdownFailedError('f', { group: 'g', step: 0, provisioner: 'P' }),
  GroupFailedError: () => new errors.GroupFailedError('f', 'g'),
  GroupBlockedError: () => new errors.GroupBlockedError('g', ['db']),
  TeardownFailedError: () => new errors.TeardownFailedError('teardown', [{ group: 'g', error: 'e' }]),
  HasDependentsError: () => new errors.HasDependentsError('db', ['app']),
  StateFileError: () => new errors.StateFileError('/s.json', 'bad'),
  StoreClosedError: () => new errors.StoreClosedError('/s.json', 'closed'),
  StateLockedError: () => new errors.StateLockedError('/s.json', owner),
  UnlockRefusedError: () => new errors.UnlockRefusedError('/s.json', 'wrong id'),
  TransitionError: () => new errors.TransitionError('Group "g"', 'a', 'b', 'g'),
  SchedulerBusyError: () => new errors.SchedulerBusyError('run', 'teardown'),
  DriverError: () => new errors.DriverError('d', { machine: 'web1' }),
  NotOwnedError: () => new errors.NotOwnedError('web1', 'other', 'this'),
  MachineBatchError: () => new errors.MachineBatchError('Ready', [{ machine: 'web1', error: new Error('x') }], 1),
  KeyError: () => new errors.KeyError('demo', 'missing'),
  ProcessError: () => new errors.ProcessError('could not start', { command: 'x' }),
  NotReadyError: () => new errors.NotReadyError('not ready', { host: '127.0.0.1', port: 1 }),
  CheckFailedError: () => new errors.CheckFailedError('check', { url: 'http://x/' }),
  MachineCommandError: () => new errors.MachineCommandError(result),
  MachineConnectError: () => new errors.MachineConnectError('refused', endpoint),
  HostKeyMismatchError: () => new errors.HostKeyMismatchError({ ...endpoint, expected: 'SHA256:a', received: 'SHA256:b' }),
  MachineTransferError: () => new errors.MachineTransferError({ machine: 'web1', operation: 'upload', path: '/x', cause: new Error('x') }),
  // plugins-model (issue 11)
  PluginError: () => new errors.PluginError('/plugins/providers/p/p.json', 'bad descriptor'),
  PluginTaskError: () => new errors.PluginTaskError('node1', 'node1:INSTALL:db', 'automator "shell"', 3, 'failed'), // plugins-cluster
  // State in PostgreSQL (issue 12)
  DatabaseUnreachableError: () => new errors.DatabaseUnreachableError('postgres://u:***@h/db', 'connect ECONNREFUSED'),
  SchemaVersionError: () => new errors.SchemaVersionError('postgres://u:***@h/db', '2', 1),
  DatabaseLockedError: () => new errors.DatabaseLockedError('postgres://u:***@h/db', 'demo', 'backend pid 1'),
  // pg-workers
  StepFencedError: () => new errors.StepFencedError({ group: 'g', step: 0 }, 2, 'w1'),
};
/** Bases: never thrown as such. */
const BASES = new Set(['GroundworkError', 'MachineError']);

const errorClasses = Object.entries(errors).filter(
  ([, value]) => typeof value === 'function' && (value === GroundworkError || value.prototype instanceof GroundworkError),
);

test('every ErrorCode value is unique', () => {
  const codes = Object.values(ErrorCode);
  expect(new Set(codes).size).toBe(codes.length);
  for (const code of codes) expect(code).toMatch(/^GW_[A-Z_]+$/);
});

test('every error class is in the samples, sets its own code, and each code belongs to exactly one class', () => {
  const concrete = errorClasses.map(([name]) => name).filter((name) => !BASES.has(name));
  expect(Object.keys(samples).sort()).toEqual(concrete.sort());

  const byCode = new Map<string, string[]>();
  for (const [name, make] of Object.entries(samples)) {
    const error = make();
    expect(error, name).toBeInstanceOf(GroundworkError);
    expect(error.name, name).toBe(name);
    expect(Object.values(ErrorCode), `${name}.code`).toContain(error.code);
    byCode.set(error.code, [...(byCode.get(error.code) ?? []), name]);
  }
  for (const code of Object.values(ErrorCode)) expect(byCode.get(code), code).toHaveLength(1);
});

test('the machine errors share one shape: machine, shortMessage, and the command result once', () => {
  const command = samples.MachineCommandError!() as errors.MachineCommandError;
  expect(command).toBeInstanceOf(errors.MachineError);
  expect(command).toMatchObject({ ...result, shortMessage: 'Command failed on web1 with exit code 1: false' });
  expect(command.message).toBe('Command failed on web1 with exit code 1: false\n\nboom');
  for (const name of ['MachineConnectError', 'HostKeyMismatchError', 'MachineTransferError']) {
    const error = samples[name]!() as errors.MachineError;
    expect(error, name).toBeInstanceOf(errors.MachineError);
    expect(error.machine, name).toBe('web1');
    expect(error.shortMessage, name).toBe(error.message);
  }
});

test('every error class and ErrorCode are part of the public API', () => {
  const publicApi = api as Record<string, unknown>;
  for (const [name, value] of errorClasses) expect(publicApi[name], name).toBe(value);
  expect(publicApi.ErrorCode).toBe(ErrorCode);
});

/**
 * Plain errors that stay, keyed by a piece of their line (not the path, so a
 * moved file keeps its entry), each with the reason it never reaches a user
 * without a code.
 */
const ALLOWED_PLAIN_ERRORS: Record<string, string> = {
  'interrupted by ${signal}': 'cli/run-cli.ts: an AbortSignal reason; the cancelled step is recorded with a coded error quoting it',
  'stopped by SIGINT': 'cli/run-cli.ts: an AbortSignal reason for the graceful stop; never thrown to the user',
  'Releasers: cannot': 'os/releasers.ts: a stack used after it was released is a bug in the library, not a user error; an invariant',
  'no stage after': 'machines/stages.ts: callers never move past the last stage; an invariant',
  "new Error('no port')": 'freePort: a listening TCP server always has an address object; an invariant',
  'has no step': 'state/ledger.ts: the scheduler only patches steps of the record it read; an invariant',
  'is not in the state': 'state/ledger.ts: the Scheduler checks group names first (UnknownGroupError); an invariant',
  'injected by failpoint': 'failpoints.ts: imitates the errno error fs throws (code EIO/ENOSPC) for fault tests',
};

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

test('src/ throws no plain Error, TypeError or RangeError outside the allowlist', async () => {
  const src = join(import.meta.dirname, '..', 'src');
  const found: string[] = [];
  const used = new Set<string>();
  for (const file of await sourceFiles(src)) {
    const lines = (await readFile(file, 'utf8')).split('\n');
    lines.forEach((line, i) => {
      if (!/\bnew (Error|TypeError|RangeError|SyntaxError|AggregateError)\(|\bthrow\s+['"`]/.test(line)) return;
      const allowed = Object.keys(ALLOWED_PLAIN_ERRORS).find((key) => line.includes(key));
      if (allowed) used.add(allowed);
      else found.push(`${relative(src, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  expect(found, 'use a GroundworkError subclass from src/errors.ts (or allowlist an invariant, saying why)').toEqual([]);
  // A stale entry would let a new plain error with the same text through.
  expect([...used].sort()).toEqual(Object.keys(ALLOWED_PLAIN_ERRORS).sort());
});

test("the README's table lists every code with its class", async () => {
  const readme = await readFile(join(import.meta.dirname, '..', 'README.md'), 'utf8');
  for (const [name, make] of Object.entries(samples)) expect(readme, name).toContain(`| \`${make().code}\` | \`${name}\` |`);
});

import { createInterface } from 'node:readline';
import { execa } from 'execa';
import type { PluginParameters } from './parameters.js';
import type { PluginKind, RunHooks } from './registry.js';
import { appendLine, failedResult, isRecord, normalizeResult } from './result.js';
import { emptyResult, type PluginResult, type PluginTask } from './task.js';
import { taskView } from './task-view.js';

export interface ExecutablePluginSource {
  name: string;
  kind: PluginKind;
  descriptorFile: string;
  parameters: PluginParameters;
  /** Absolute path, inside `folder`. */
  executable: string;
  folder: string;
}

/** Default per-task limit; a hung plugin is killed and its task fails. */
export const DEFAULT_EXECUTABLE_TIMEOUT_MS = 3_600_000;
/** Checkpoints: JSON lines on this file descriptor (announced in GROUNDWORK_CHECKPOINT_FD). */
export const CHECKPOINT_FD = 3;

/**
 * Runs an any-language plugin: the task JSON (secrets resolved) on stdin, the
 * result JSON on stdout, stderr captured into `stderr`; each JSON line it writes
 * on fd 3 is a checkpoint (`{ "result": { … } }`), persisted in order. Same
 * result rules as a class plugin: exit 0 and no status = 0; a non-zero exit, a
 * kill, a timeout or stdout that is not a JSON object = failure.
 */
export async function runExecutablePlugin(source: ExecutablePluginSource, task: PluginTask, hooks: RunHooks): Promise<PluginResult> {
  const view = await taskView(task, source.parameters, source.descriptorFile, hooks);
  const timeout = hooks.timeoutMs ?? DEFAULT_EXECUTABLE_TIMEOUT_MS;
  const child = execa(source.executable, [], {
    cwd: source.folder,
    input: JSON.stringify(view.task),
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    env: { GROUNDWORK_CHECKPOINT_FD: String(CHECKPOINT_FD), GROUNDWORK_TASK_NAME: task.taskName, GROUNDWORK_TASK_ID: task.taskId },
    cancelSignal: hooks.signal,
    timeout,
    forceKillAfterDelay: 5_000,
    reject: false,
    stripFinalNewline: false,
    maxBuffer: 64 * 1024 * 1024,
  });

  // Checkpoints accumulate like this.result does in a class plugin.
  const partial = emptyResult();
  let notes = '';
  let persisted: Promise<void> = Promise.resolve();
  const lines = createInterface({ input: child.stdio[CHECKPOINT_FD] as NodeJS.ReadableStream, crlfDelay: Infinity });
  lines.on('line', (line) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      notes = appendLine(notes, `ignored a checkpoint line on fd ${CHECKPOINT_FD} that is not JSON: ${line.slice(0, 200)}`);
      return;
    }
    if (!isRecord(value)) return;
    if (isRecord(value.result)) Object.assign(partial.result, value.result);
    const snapshot = structuredClone(partial);
    persisted = persisted.then(() => view.checkpoint(snapshot));
  });

  const done = await child;
  lines.close();
  try {
    await persisted;
  } catch (error) {
    return view.scrub(failedResult(partial, error));
  }
  const stderr = appendLine(done.stderr as string, notes);
  const failure = describeEnd(done, timeout);
  const stdout = (done.stdout as string).trim();
  let parsed: Record<string, unknown> | undefined;
  let parseError: string | undefined;
  if (stdout !== '') {
    try {
      const value: unknown = JSON.parse(stdout);
      if (isRecord(value)) parsed = value;
      else parseError = `its stdout is JSON but not an object: ${stdout.slice(0, 200)}`;
    } catch {
      parseError = `its stdout is not the result JSON: ${stdout.slice(0, 200)}`;
    }
  }
  const written = { ...partial, result: { ...partial.result } };
  const result = normalizeResult(written, parsed);
  // The JSON's own stderr first, then what the process wrote on fd 2.
  result.stderr = appendLine(result.stderr, stderr);
  if (failure !== undefined) {
    result.status = result.status === 0 ? (typeof done.exitCode === 'number' && done.exitCode !== 0 ? done.exitCode : 1) : result.status;
    result.stderr = appendLine(result.stderr, `${source.executable} ${failure}`);
  }
  if (parseError !== undefined) {
    result.status = result.status === 0 ? 1 : result.status;
    result.stdout = appendLine(result.stdout, stdout);
    result.stderr = appendLine(
      result.stderr,
      `${source.executable}: ${parseError}; write one JSON object ({ "status": 0, "result": { … } }) on stdout.`,
    );
  }
  return view.scrub(result);
}

function describeEnd(
  done: { exitCode?: number; signal?: string; timedOut: boolean; isCanceled: boolean; failed: boolean; cause?: unknown },
  timeout: number,
): string | undefined {
  if (done.timedOut) return `timed out after ${timeout} ms and was killed`;
  if (done.isCanceled) return 'was cancelled';
  if (done.signal !== undefined) return `was killed with ${done.signal}`;
  if (done.exitCode !== undefined && done.exitCode !== 0) return `exited with code ${done.exitCode}`;
  if (done.failed) return `failed to run: ${done.cause instanceof Error ? done.cause.message : String(done.cause)}`;
  return undefined;
}

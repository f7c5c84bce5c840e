// One run of a plugin task as a step keeps it: status, result and the tail of its output.
import type { PluginResult, TaskName } from '../task.js';

/** Bytes of stdout and of stderr kept per task run (the tail): enough for status, small in the state file. */
export const OUTPUT_TAIL = 16 * 1024;
const REPORT_LINES = 3;

export interface TaskRun {
  taskId: string;
  taskName: TaskName;
  /** "provider netns", "automator shell". */
  plugin: string;
  /** null while it runs (a checkpoint was recorded, the task has not ended). */
  status: number | null;
  result: Record<string, unknown>;
  stdout: string;
  stderr: string;
  /** True when the output was longer than OUTPUT_TAIL and only its end is kept. */
  truncated: boolean;
}

export function tail(text: string): { text: string; truncated: boolean } {
  if (text.length <= OUTPUT_TAIL) return { text, truncated: false };
  const cut = text.slice(-OUTPUT_TAIL);
  const newline = cut.indexOf('\n');
  return { text: newline >= 0 && newline < 200 ? cut.slice(newline + 1) : cut, truncated: true };
}

export function taskRun(taskId: string, taskName: TaskName, plugin: string, result: PluginResult, ended: boolean): TaskRun {
  const out = tail(result.stdout ?? '');
  const err = tail(result.stderr ?? '');
  return {
    taskId,
    taskName,
    plugin,
    status: ended ? result.status : null,
    result: structuredClone(result.result ?? {}),
    stdout: out.text,
    stderr: err.text,
    truncated: out.truncated || err.truncated,
  };
}

function lastLines(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-REPORT_LINES);
}

/** status lines: the task, how it ended, its result keys, and its last output lines. */
export function runReport(run: TaskRun): string[] {
  const how =
    run.status === null
      ? 'running (checkpointed)'
      : run.status === 0
        ? 'ok'
        : `failed (status ${run.status}; its results are not passed on)`;
  const keys = Object.keys(run.result);
  const lines = [`${run.taskId} via ${run.plugin}: ${how}; result keys: ${keys.length ? keys.join(', ') : '(none)'}`];
  for (const line of lastLines(run.stdout)) lines.push(`  stdout: ${line}`);
  for (const line of lastLines(run.stderr)) lines.push(`  stderr: ${line}`);
  return lines;
}

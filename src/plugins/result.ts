import { describeError } from '../errors.js';
import type { MethodReturn } from './base.js';
import { emptyResult, type PluginResult } from './task.js';

/**
 * Loom's rule, for both class and executable plugins: what the method wrote
 * to this.result, overlaid with what it returned; `status` 0 when nothing
 * set it; a non-number or non-integer status is a failure (1) that says so.
 */
export function normalizeResult(written: PluginResult, returned: MethodReturn | unknown): PluginResult {
  const out: PluginResult = {
    status: written.status,
    result: isRecord(written.result) ? { ...written.result } : {},
    stdout: text(written.stdout),
    stderr: text(written.stderr),
  };
  if (isRecord(returned)) {
    if ('status' in returned) out.status = returned.status as number;
    if (isRecord(returned.result)) Object.assign(out.result, returned.result);
    if (returned.stdout !== undefined) out.stdout = text(returned.stdout);
    if (returned.stderr !== undefined) out.stderr = text(returned.stderr);
  }
  if (typeof out.status !== 'number' || !Number.isInteger(out.status)) {
    out.stderr = appendLine(out.stderr, `plugin set status to ${JSON.stringify(out.status)}, not an integer; taken as failure`);
    out.status = 1;
  }
  return out;
}

/** A method that threw: status 1, the error (with its stack) at the end of stderr, what was written kept. */
export function failedResult(written: PluginResult | undefined, error: unknown): PluginResult {
  const base = written ? normalizeResult(written, undefined) : emptyResult();
  const detail = error instanceof Error && error.stack ? error.stack : describeError(error);
  return { ...base, status: base.status === 0 ? 1 : base.status, stderr: appendLine(base.stderr, detail) };
}

export function appendLine(text: string, line: string): string {
  if (line === '') return text;
  if (text === '') return line;
  return text.endsWith('\n') ? `${text}${line}` : `${text}\n${line}`;
}

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

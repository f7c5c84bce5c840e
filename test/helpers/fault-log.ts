// Reading the call log of test/fixtures/faults/pipeline.ts and checking the
// invariants of the fault tests against it and the state file.
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import type { RawState } from './state.js';

export interface Call {
  op: 'startup' | 'shutdown';
  pid: number;
  group: string;
  step: number;
  input?: unknown;
  deps?: Record<string, unknown>;
  output?: unknown;
  /** The line was cut short by a kill -9 (a write can stop at a page boundary): only op, pid, group and step are known. */
  torn?: boolean;
}

/** The calls in the log. A line torn by a kill is followed, on the same line, by the next process's first one. */
export function readCalls(logFile: string): Call[] {
  let text = '';
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return [];
  }
  const calls: Call[] = [];
  for (const piece of text.split(/\n|(?=\{"op":)/)) {
    if (piece.trim() === '') continue;
    try {
      calls.push(JSON.parse(piece) as Call);
    } catch {
      const m = /^\{"op":"(startup|shutdown)","pid":(\d+),"group":"([^"]+)","step":(\d)/.exec(piece);
      if (m) calls.push({ op: m[1] as Call['op'], pid: Number(m[2]), group: m[3]!, step: Number(m[4]), torn: true });
    }
  }
  return calls;
}

export const stepKey = (group: string, step: number): string => `${group}#${step}`;

/** Steps recorded as done in a state. */
export function doneSteps(state: RawState | undefined): Set<string> {
  const done = new Set<string>();
  for (const [name, g] of Object.entries(state?.groups ?? {})) g.steps.forEach((s, i) => s.state === 'done' && done.add(stepKey(name, i)));
  return done;
}

export interface Kill {
  pid: number;
  /** Steps done in the state as loaded right after the kill. */
  doneAfter: Set<string>;
}

/**
 * The provisioning invariants, after a series of kills and a final clean run:
 * acknowledged steps never lost and never run again; only a step in flight at
 * a kill runs twice; every group provisioned; each startup fed its
 * predecessor's recorded return; no dependent started before its dependencies.
 */
export function checkProvisioning(
  calls: Call[],
  final: RawState,
  kills: Kill[],
  dependsOn: Record<string, string[]>,
  context: string,
): void {
  const startups = calls.filter((c) => c.op === 'startup');
  // Acknowledged steps are never lost.
  for (let i = 1; i < kills.length; i++) {
    for (const key of kills[i - 1]!.doneAfter) expect(kills[i]!.doneAfter.has(key), `${context}: ${key} was done, then lost`).toBe(true);
  }
  // A step done after kill i never starts again in a later process.
  const killedPids = new Set(kills.map((k) => k.pid));
  const pidOrder = [...new Set(startups.map((c) => c.pid))];
  for (const call of startups) {
    const key = stepKey(call.group, call.step);
    const earlierKills = kills.filter((k) => pidOrder.indexOf(k.pid) !== -1 && pidOrder.indexOf(k.pid) < pidOrder.indexOf(call.pid));
    for (const k of earlierKills)
      expect(k.doneAfter.has(key), `${context}: ${key} ran again in pid ${call.pid} after it was done`).toBe(false);
  }
  // A step runs more than once only if a process running it was killed before it was done.
  const byStep = new Map<string, Call[]>();
  for (const call of startups) byStep.set(stepKey(call.group, call.step), [...(byStep.get(stepKey(call.group, call.step)) ?? []), call]);
  for (const [key, runs] of byStep) {
    expect(new Set(runs.map((r) => r.pid)).size, `${context}: ${key} ran twice in one process`).toBe(runs.length);
    for (const run of runs.slice(0, -1))
      expect(killedPids.has(run.pid), `${context}: ${key} ran again though pid ${run.pid} was not killed`).toBe(true);
  }
  // Every group provisioned, each startup fed the recorded return of its predecessor, dependencies first.
  for (const [name, deps] of Object.entries(dependsOn)) {
    const group = final.groups[name];
    expect(group?.state, `${context}: ${name}`).toBe('provisioned');
    const outputs = group!.steps.map((s) => (s.output as { json: unknown }).json);
    for (const [step, output] of outputs.entries()) {
      const runs = byStep.get(stepKey(name, step)) ?? [];
      expect(runs.length, `${context}: ${name} step ${step} never ran`).toBeGreaterThan(0);
      // The recorded output is the last run's (the earlier ones were in flight at a kill).
      expect(runs.at(-1)!.output, `${context}: ${name} step ${step} output`).toEqual(output);
      for (const run of runs.filter((r) => !r.torn)) {
        expect(run.input, `${context}: input of ${name} step ${step}`).toEqual(step === 0 ? null : outputs[step - 1]);
        if (step === 0) {
          const expected = Object.fromEntries(deps.map((d) => [d, (final.groups[d]!.steps.at(-1)!.output as { json: unknown }).json]));
          expect(run.deps, `${context}: dependencies of ${name}`).toEqual(expected);
        }
      }
    }
    const firstStart = startups.findIndex((c) => c.group === name);
    for (const d of deps) {
      const lastOfDep = startups.findLastIndex((c) => c.group === d && c.step === 2);
      expect(lastOfDep, `${context}: ${name} started before ${d} was provisioned`).toBeLessThan(firstStart);
    }
  }
}

/** A teardown calls every shutdown once, steps in reverse order, dependents before their dependencies. */
export function checkTeardown(calls: Call[], dependsOn: Record<string, string[]>, context: string): void {
  const shutdowns = calls.filter((c) => c.op === 'shutdown');
  const keys = shutdowns.map((c) => stepKey(c.group, c.step));
  expect(new Set(keys).size, `${context}: a shutdown ran twice`).toBe(keys.length);
  expect(keys.length, `${context}: shutdown count`).toBe(Object.keys(dependsOn).length * 3);
  for (const [name, deps] of Object.entries(dependsOn)) {
    const mine = shutdowns.filter((c) => c.group === name).map((c) => c.step);
    expect(mine, `${context}: ${name} shutdown order`).toEqual([2, 1, 0]);
    const myLast = keys.lastIndexOf(stepKey(name, 0));
    for (const d of deps)
      expect(keys.indexOf(stepKey(d, 2)), `${context}: ${d} shut down before its dependent ${name}`).toBeGreaterThan(myLast);
  }
}

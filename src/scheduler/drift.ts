import type { SuperJSONValue } from 'superjson';
import type { Provisioner } from '../provisioners/contract.js';
import { savedFields } from '../serialize/fields.js';
import { serializePlain } from '../serialize/plain.js';
import type { ProvisionerRegistry } from '../serialize/registry.js';
import type { GroupRecord, StepFingerprint } from '../state/types.js';
import type { GroupSpec } from './options.js';

/** What changed in one step between the saved fingerprint and what the config builds now. */
export type DriftChange =
  | { kind: 'field'; step: number; class: string; field: string; before: string; after: string }
  | { kind: 'class'; step: number; before: string; after: string }
  | { kind: 'added'; step: number; class: string }
  | { kind: 'removed'; step: number; class: string };

/** A group whose config no longer builds the provisioners it was scheduled with. */
export interface DriftReport {
  group: string;
  changes: DriftChange[];
}

/** Shown for a field one side does not have. */
const ABSENT = '(none)';

/**
 * The fingerprint of freshly built provisioners: class id and the fields the
 * snapshot would save (not `name`, which the scheduler sets). Taken before any
 * startup, so fields a startup sets never count as drift.
 */
export function fingerprintOf(provisioners: readonly Provisioner[], registry: ProvisionerRegistry): StepFingerprint[] {
  return provisioners.map((p) => {
    const fields: Record<string, string> = {};
    for (const [key, value] of Object.entries(savedFields(p))) if (key !== 'name') fields[key] = render(value, registry);
    return { class: registry.idOf(p.constructor) ?? p.constructor.name, fields };
  });
}

/**
 * Compare the groups of `specs` that are in the state with what their
 * `provisioners()` build now (which calls it for groups already in the state).
 * Groups not in the state, or recorded without a fingerprint (older states), have no drift.
 */
export function driftOf(
  specs: readonly GroupSpec[],
  recordOf: (name: string) => GroupRecord | undefined,
  registry: ProvisionerRegistry,
): DriftReport[] {
  const reports: DriftReport[] = [];
  for (const spec of specs) {
    const saved = recordOf(spec.name)?.fingerprint;
    if (!saved) continue;
    const now = fingerprintOf(typeof spec.provisioners === 'function' ? spec.provisioners() : spec.provisioners, registry);
    const changes = compareFingerprints(saved, now);
    if (changes.length > 0) reports.push({ group: spec.name, changes });
  }
  return reports;
}

export function compareFingerprints(saved: readonly StepFingerprint[], now: readonly StepFingerprint[]): DriftChange[] {
  const changes: DriftChange[] = [];
  for (let step = 0; step < Math.max(saved.length, now.length); step++) {
    const before = saved[step];
    const after = now[step];
    if (!after) changes.push({ kind: 'removed', step, class: before!.class });
    else if (!before) changes.push({ kind: 'added', step, class: after.class });
    else if (before.class !== after.class) changes.push({ kind: 'class', step, before: before.class, after: after.class });
    else {
      for (const field of new Set([...Object.keys(before.fields), ...Object.keys(after.fields)])) {
        const b = before.fields[field] ?? ABSENT;
        const a = after.fields[field] ?? ABSENT;
        if (a !== b) changes.push({ kind: 'field', step, class: after.class, field, before: b, after: a });
      }
    }
  }
  return changes;
}

/** One line per change, the way Terraform's plan shows them: `db: LocalService.args: ["--port","1"] → ["--port","2"]`. */
export function formatDrift(report: DriftReport): string[] {
  const where = (step: number) => `${report.group}: step ${step + 1} `;
  const single = report.changes.every((c) => c.step === 0);
  const at = (step: number) => (single ? `${report.group}: ` : where(step));
  return report.changes.map((c) => {
    switch (c.kind) {
      case 'field':
        return `${at(c.step)}${c.class}.${c.field}: ${c.before} → ${c.after}`;
      case 'class':
        return `${at(c.step)}class changed: ${c.before} → ${c.after}`;
      case 'added':
        return `${where(c.step)}added: ${c.class}`;
      case 'removed':
        return `${where(c.step)}removed: ${c.class}`;
    }
  });
}

/** Stable text for a field's value: JSON with sorted keys for plain data, superjson's text otherwise. */
function render(value: unknown, registry: ProvisionerRegistry): string {
  if (value === undefined) return 'undefined';
  if (serializePlain(value)) return JSON.stringify(sortKeys(value));
  return registry.superjson.stringify(value as SuperJSONValue);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}

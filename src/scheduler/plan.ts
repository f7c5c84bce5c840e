import { ConfigError } from '../errors.js';
import { snapshotProvisioner } from '../serialize/codec.js';
import { GroupState, StepState, type GroupRecord } from '../state/types.js';
import { fingerprintOf } from './drift.js';
import { validateGraph } from './graph.js';
import type { GroupSpec } from './options.js';
import type { Runtime } from './runtime.js';
import { assertDependsOn, assertGroupName, assertProvisioners } from './validate-group.js';

/**
 * Check `specs` and build the records of the groups not in the state yet,
 * snapshotting their provisioners, so that anything unsaveable is refused
 * now and nothing is written unless everything is valid. Groups in
 * `replacing` are built anew although they are in the state (they are about
 * to be deprovisioned and scheduled again).
 */
export function planGroups(rt: Runtime, specs: readonly GroupSpec[], replacing: ReadonlySet<string> = new Set()): GroupRecord[] {
  const { ledger, registry } = rt;
  const seen = new Set<string>();
  for (const spec of specs) {
    assertGroupName(spec.name, 'name');
    if (seen.has(spec.name)) throw new ConfigError(`Group "${spec.name}" is listed twice.`, { group: spec.name });
    seen.add(spec.name);
    assertDependsOn(spec.name, spec.dependsOn ?? [], 'dependsOn');
  }
  const fresh = specs.filter((s) => !ledger.has(s.name) || replacing.has(s.name));
  validateGraph(
    fresh.map((s) => ({ name: s.name, dependsOn: s.dependsOn ?? [] })),
    ledger.names().filter((n) => !replacing.has(n)),
  );
  const now = rt.clock.now().toISOString();
  const records: GroupRecord[] = fresh.map((spec) => {
    const list = typeof spec.provisioners === 'function' ? spec.provisioners() : spec.provisioners;
    assertProvisioners(spec.name, list, 'provisioners');
    return {
      name: spec.name,
      dependsOn: [...(spec.dependsOn ?? [])],
      state: GroupState.Pending,
      scheduledAt: now,
      steps: list.map((p, step) => {
        p.name = spec.name;
        return { state: StepState.Pending, provisioner: snapshotProvisioner(p, registry, { group: spec.name, step }) };
      }),
      // Taken here, before any startup, and written with the record (no extra write).
      fingerprint: fingerprintOf(list, registry),
    };
  });
  return records;
}

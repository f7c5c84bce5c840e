import type { SuperJSONResult, SuperJSONValue } from 'superjson';
import { NotSerializableError } from '../errors.js';
import type { Provisioner } from '../provisioners/contract.js';
import { findUnserializable } from './check.js';
import { reviveInstance, savedFields } from './fields.js';
import { deserializePlain, serializePlain } from './plain.js';
import type { ProvisionerRegistry } from './registry.js';

/** How a provisioner object is stored: its class id and its saved fields. */
export interface ProvisionerSnapshot {
  class: string;
  fields: SuperJSONResult;
}

/** How a startup's return value is stored. */
export type ValueSnapshot = SuperJSONResult;

export interface Where {
  group: string;
  step: number;
}

function className(p: object): string {
  return p.constructor?.name || 'an anonymous class';
}

/**
 * Throw a NotSerializableError naming the group, the class and the field if
 * `provisioner` could not be saved and revived.
 */
export function assertSnapshottable(provisioner: Provisioner, registry: ProvisionerRegistry, where: Where): void {
  const name = className(provisioner);
  const label = `Group "${where.group}" step ${where.step + 1} (${name})`;
  if (registry.idOf(provisioner.constructor) === undefined) {
    throw new NotSerializableError(
      `${label}: class ${name} is not registered, so it could not be revived after a restart. ` +
        `Call registerProvisioner(${name}) once, in the module that defines it.`,
      { group: where.group, step: where.step, provisioner: name },
    );
  }
  const bad = findUnserializable(provisioner, registry);
  if (bad) {
    throw new NotSerializableError(
      `${label}: field \`${bad.path}\` ${bad.reason}, so the provisioner cannot be snapshotted. ` +
        `Use a normal field: plain data, or list it in \`static transient\` and rebuild it in revive().`,
      { group: where.group, step: where.step, provisioner: name, path: bad.path },
    );
  }
}

export function snapshotProvisioner(provisioner: Provisioner, registry: ProvisionerRegistry, where: Where): ProvisionerSnapshot {
  assertSnapshottable(provisioner, registry, where);
  const id = registry.idOf(provisioner.constructor)!;
  const fields = savedFields(provisioner);
  return { class: id, fields: serializePlain(fields) ?? registry.superjson.serialize(fields as SuperJSONValue) };
}

/** Revive without calling the constructor, then call the optional `revive()` hook. */
export function reviveProvisioner(snapshot: ProvisionerSnapshot, registry: ProvisionerRegistry, where: Where): Provisioner {
  const Class = registry.classOf(snapshot.class);
  if (!Class) {
    throw new NotSerializableError(
      `Group "${where.group}" step ${where.step + 1}: class "${snapshot.class}" is not registered in this process, so its snapshot cannot be revived. ` +
        `Import the module that calls registerProvisioner for it (usually through your groundwork.config.ts). Registered: ${registry.ids().join(', ') || '(none)'}.`,
      { group: where.group, step: where.step, provisioner: snapshot.class },
    );
  }
  const plain = deserializePlain(snapshot.fields);
  const fields = plain
    ? (plain.value as Record<string, unknown>)
    : registry.superjson.deserialize<Record<string, unknown>>(snapshot.fields);
  return reviveInstance(Class, fields);
}

export function snapshotValue(value: unknown, registry: ProvisionerRegistry, where: Where & { provisioner: string }): ValueSnapshot {
  // Plain JSON data is snapshottable by construction: no need to walk it again looking for what is not.
  const plain = serializePlain(value);
  if (plain) return plain;
  const bad = findUnserializable(value, registry);
  if (bad) {
    throw new NotSerializableError(
      `Group "${where.group}" step ${where.step + 1} (${where.provisioner}) returned a value whose \`${bad.path}\` ${bad.reason}; ` +
        `return plain data so the next provisioner can receive it after a restart.`,
      { ...where, path: bad.path },
    );
  }
  return registry.superjson.serialize(value as SuperJSONValue);
}

export function reviveValue(snapshot: ValueSnapshot, registry: ProvisionerRegistry): unknown {
  const plain = deserializePlain(snapshot);
  return plain ? plain.value : registry.superjson.deserialize(snapshot);
}

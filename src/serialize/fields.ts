import type { ProvisionerClass } from '../provisioners/contract.js';

/** Fields saved for an instance of a registered class: own enumerable ones minus `static transient`. */
export function savedFields(instance: object): Record<string, unknown> {
  const transient = new Set((instance.constructor as ProvisionerClass).transient ?? []);
  const fields: Record<string, unknown> = {};
  for (const key of Object.keys(instance)) {
    if (!transient.has(key)) fields[key] = (instance as Record<string, unknown>)[key];
  }
  return fields;
}

/** Rebuild an instance without calling its constructor, then call its optional `revive()` hook. */
export function reviveInstance<T extends object>(Class: abstract new (...args: never[]) => T, fields: Record<string, unknown>): T {
  const instance = Object.assign(Object.create(Class.prototype) as T, fields);
  (instance as { revive?: () => void }).revive?.();
  return instance;
}

import { savedFields } from './fields.js';
import type { ProvisionerRegistry } from './registry.js';

export interface Unserializable {
  /** Where the bad value sits, e.g. `conn.socket` or `items[2]`. */
  path: string;
  reason: string;
}

const BUILTIN_DATA = [Date, RegExp, URL, Error];

/**
 * The first value under `value` that cannot round-trip through a snapshot, or
 * undefined. Checked when a group is scheduled, not discovered after a crash.
 */
export function findUnserializable(value: unknown, registry: ProvisionerRegistry, path = ''): Unserializable | undefined {
  return walk(value, registry, path, new Set());
}

function walk(value: unknown, registry: ProvisionerRegistry, path: string, seen: Set<object>): Unserializable | undefined {
  const at = path === '' ? '(value)' : path;
  switch (typeof value) {
    case 'function':
      return { path: at, reason: `is a function${value.name ? ` (${value.name})` : ''}` };
    case 'symbol':
      return { path: at, reason: 'is a symbol' };
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null || seen.has(value)) return undefined;
  seen.add(value);

  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const bad = walk(item, registry, `${path}[${i}]`, seen);
      if (bad) return bad;
    }
    return undefined;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      const bad = walk(k, registry, `${path}<key>`, seen) ?? walk(v, registry, `${path}.get(${String(k)})`, seen);
      if (bad) return bad;
    }
    return undefined;
  }
  if (value instanceof Set) {
    for (const item of value) {
      const bad = walk(item, registry, `${path}<item>`, seen);
      if (bad) return bad;
    }
    return undefined;
  }
  if (BUILTIN_DATA.some((C) => value instanceof C) || ArrayBuffer.isView(value)) return undefined;

  const proto = Object.getPrototypeOf(value);
  let fields: Record<string, unknown>;
  if (proto === null || proto === Object.prototype) {
    fields = value as Record<string, unknown>;
  } else {
    const ctor = (value as object).constructor;
    if (registry.idOf(ctor) === undefined) {
      const name = typeof ctor === 'function' && ctor.name ? ctor.name : 'an anonymous class';
      return {
        path: at,
        reason: `is an instance of ${name}, which is not registered (call registerProvisioner(${name}) or store plain data)`,
      };
    }
    const hidden = registry.privateMembersOf(ctor);
    if (hidden.length > 0) {
      return {
        path: path === '' ? hidden[0]! : `${path}.${hidden[0]}`,
        reason: `is a #private member of ${ctor.name}, which a revived object (made without its constructor) would not have`,
      };
    }
    fields = savedFields(value);
  }
  for (const key of Object.keys(fields)) {
    const bad = walk(fields[key], registry, path === '' ? key : `${path}.${key}`, seen);
    if (bad) return bad;
  }
  return undefined;
}

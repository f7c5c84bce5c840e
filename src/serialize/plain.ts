import type { SuperJSONResult } from 'superjson';

/**
 * A fast path around superjson for what provisioners mostly hold and return:
 * plain JSON data (plain objects, arrays, strings, finite numbers, booleans,
 * null; no shared or cyclic references). superjson stores such a value as
 * `{ json }` with no `meta`; copying it directly does the same at a fraction
 * of the cost. Anything else returns undefined and goes through superjson.
 */
export function serializePlain(value: unknown): SuperJSONResult | undefined {
  const seen = new Set<object>();
  const json = copyPlain(value, seen);
  return json === NOT_PLAIN ? undefined : { json: json as SuperJSONResult['json'] };
}

/** A snapshot without `meta` is plain JSON: a deep copy revives it (callers may mutate what they get). */
export function deserializePlain(snapshot: SuperJSONResult): { value: unknown } | undefined {
  return snapshot.meta === undefined ? { value: copyJson(snapshot.json) } : undefined;
}

const NOT_PLAIN = Symbol('not plain');

function copyPlain(v: unknown, seen: Set<object>): unknown {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) && !Object.is(v, -0) ? v : NOT_PLAIN;
  if (typeof v !== 'object') return NOT_PLAIN; // undefined, bigint, symbol, function
  // superjson keeps shared references shared; leave those to it.
  if (seen.has(v)) return NOT_PLAIN;
  seen.add(v);
  if (Array.isArray(v)) {
    if (Object.getPrototypeOf(v) !== Array.prototype) return NOT_PLAIN;
    const out: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      if (!(i in v)) return NOT_PLAIN; // a hole
      const item = copyPlain(v[i], seen);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      out[i] = item;
    }
    return out;
  }
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) {
    if (key === '__proto__') return NOT_PLAIN;
    const item = copyPlain((v as Record<string, unknown>)[key], seen);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    out[key] = item;
  }
  return out;
}

function copyJson(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(copyJson);
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(v)) out[key] = copyJson((v as Record<string, unknown>)[key]);
  return out;
}

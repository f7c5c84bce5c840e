// The plain-JSON fast path around superjson: plain data is copied directly;
// anything superjson stores with metadata still goes through superjson, so
// the round trip is the same either way.
import { expect, test } from 'vitest';
import { ProvisionerRegistry } from '../../src/index.js';
import { reviveValue, snapshotValue } from '../../src/serialize/codec.js';

const registry = new ProvisionerRegistry();
const where = { group: 'g', step: 0, provisioner: 'P' };

test('plain data is stored without metadata, as superjson would, and revived as a copy', () => {
  const value = { a: 1, b: 'x', c: [true, null, { d: 2.5 }], e: {} };
  const snapshot = snapshotValue(value, registry, where);
  expect(snapshot).toEqual(registry.superjson.serialize(value));
  expect(snapshot.meta).toBeUndefined();
  const revived = reviveValue(snapshot, registry) as typeof value;
  expect(revived).toEqual(value);
  // Neither side aliases the other: the stored record must not change behind the state's back.
  value.c.push(false);
  revived.b = 'changed';
  expect(reviveValue(snapshot, registry)).toEqual({ a: 1, b: 'x', c: [true, null, { d: 2.5 }], e: {} });
});

test.each([
  ['a Date', { at: new Date('2026-01-02T03:04:05Z') }],
  ['a Map and a Set', { m: new Map([['k', 1]]), s: new Set([1, 2]) }],
  ['an undefined field', { a: undefined, b: 1 }],
  ['-0, NaN and Infinity', { z: -0, n: NaN, i: Infinity }],
  ['a BigInt', { big: 10n ** 20n }],
])('%s goes through superjson and round-trips', (_, value) => {
  const snapshot = snapshotValue(value, registry, where);
  expect(snapshot.meta).toBeDefined();
  expect(reviveValue(snapshot, registry)).toEqual(value);
});

test('a shared reference stays shared (superjson keeps it)', () => {
  const shared = { n: 1 };
  const revived = reviveValue(snapshotValue({ a: shared, b: shared }, registry, where), registry) as { a: object; b: object };
  expect(revived.a).toBe(revived.b);
});

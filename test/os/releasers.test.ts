import { expect, test } from 'vitest';
import { Releasers, withReleasers } from '../../src/os/releasers.js';

test('release runs the releases last-in-first-out, awaiting each', async () => {
  const order: string[] = [];
  const owned = new Releasers();
  owned.defer(() => order.push('connection'));
  owned.defer(async () => {
    await Promise.resolve();
    order.push('keepalive');
  });
  owned.defer(() => order.push('file'));
  await owned.release();
  expect(order).toEqual(['file', 'keepalive', 'connection']);
  expect(owned.holding).toBe(false);
});

test('every release runs even if some throw; the first failure is thrown', async () => {
  const order: string[] = [];
  const owned = new Releasers();
  owned.defer(() => order.push('a'));
  owned.defer(() => Promise.reject(new Error('b failed')));
  owned.defer(() => order.push('c'));
  owned.defer(() => {
    throw new Error('d failed');
  });
  await expect(owned.release()).rejects.toThrow('d failed');
  expect(order).toEqual(['c', 'a']);
});

test('a second release, a release after keep, and a defer after either are refused', async () => {
  let runs = 0;
  const released = new Releasers();
  released.defer(() => runs++);
  await released.release();
  await expect(released.release()).rejects.toThrow('Releasers: cannot release a stack already released.');
  expect(() => released.defer(() => runs++)).toThrow('Releasers: cannot defer a release on a stack already released.');
  expect(runs).toBe(1);

  const kept = new Releasers();
  kept.defer(() => runs++);
  kept.keep();
  await expect(kept.release()).rejects.toThrow('Releasers: cannot release a stack already kept.');
  expect(() => kept.keep()).toThrow('Releasers: cannot keep a stack already kept.');
  expect(runs).toBe(1);
});

test('withReleasers releases on a throw and rethrows the cause, even if a release fails too', async () => {
  const order: string[] = [];
  const cause = new Error('record failed');
  const error = await withReleasers(async (owned) => {
    owned.defer(() => order.push('close connection'));
    owned.defer(() => {
      throw new Error('release failed');
    });
    throw cause;
  }).catch((e: unknown) => e);
  expect(error).toBe(cause);
  expect(order).toEqual(['close connection']);
});

test('withReleasers hands everything on when fn returns, and leaves an early release alone', async () => {
  let runs = 0;
  expect(
    await withReleasers(async (owned) => {
      owned.defer(() => runs++);
      return 'machine';
    }),
  ).toBe('machine');
  expect(runs).toBe(0);

  // Released early (to read a log after stopping its process), then failed: not released twice.
  await expect(
    withReleasers(async (owned) => {
      owned.defer(() => runs++);
      await owned.release();
      throw new Error('not ready');
    }),
  ).rejects.toThrow('not ready');
  expect(runs).toBe(1);
});

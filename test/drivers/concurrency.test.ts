// A driver's `concurrency` is checked where it is read: NaN once made the batch
// fan-out start zero workers and report success having allocated nothing.
import { expect, test } from 'vitest';
import { ActionHandler } from '../../src/provisioners/action-handler.js';
import { allocateMachines, fanOut } from '../../src/drivers/batch.js';
import { driverForUrl } from '../helpers/drivers.js';
import { LocalDriver } from '../../src/drivers/local/local-driver.js';
import { ConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { driverContext } from '../helpers/driver-context.js';

test.each([
  { url: 'local', driver: 'local' },
  { url: 'ssh:/nowhere/hosts.json', driver: 'ssh' },
])('the $driver driver refuses a concurrency that is not an integer from 1 upwards, naming the value', ({ url, driver }) => {
  for (const [value, shown] of [
    [Number.NaN, 'NaN'],
    [0, '0'],
    [2.5, '2.5'],
    ['4', '"4"'],
  ] as const) {
    const make = () => driverForUrl(url, { concurrency: value });
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(`${driver} driver: expected \`concurrency\` to be an integer from 1 upwards, got ${shown}.`);
  }
  expect(driverForUrl(url, {}).concurrency).toBe(8);
  expect(driverForUrl(url, { concurrency: 3 }).concurrency).toBe(3);
});

test('the batch fan-out refuses NaN instead of reporting success having done nothing', async () => {
  let calls = 0;
  await expect(fanOut(['a', 'b'], Number.NaN, String, async () => calls++)).rejects.toThrow(
    'Expected `concurrency` to be an integer from 1 upwards, got NaN.',
  );
  expect(calls).toBe(0);

  // A driver whose own concurrency is NaN (registered by a user, not checked by its constructor).
  const driver = Object.assign(new LocalDriver('local', {}), { concurrency: Number.NaN });
  const action = new ActionHandler({ logger: silentLogger });
  const { ctx, recorded } = driverContext([]);
  await expect(allocateMachines(driver, action, [{ spec: { name: 'm1' }, options: {} }], ctx)).rejects.toThrow('got NaN');
  expect(recorded.size).toBe(0);

  expect(await fanOut(['a', 'b', 'c'], 2, String, async (x) => x.toUpperCase())).toEqual([
    { machine: 'a', ok: true, value: 'A' },
    { machine: 'b', ok: true, value: 'B' },
    { machine: 'c', ok: true, value: 'C' },
  ]);
});

import { ConfigError, MachineBatchError } from '../errors.js';
import type { Machine } from '../machines/machine.js';
import type { BatchResult, Driver, DriverActions, DriverContext, MachineRequest } from './driver.js';
import type { MachineSpec } from './machine-spec.js';

/**
 * Run `fn` on every item, at most `concurrency` at once. Every item runs to
 * its end whatever the others do; the results keep the items' order.
 */
export async function fanOut<I, T>(
  items: readonly I[],
  concurrency: number,
  name: (item: I) => string,
  fn: (item: I) => Promise<T>,
): Promise<BatchResult<T>[]> {
  // NaN would start zero workers and report success having done nothing.
  checkConcurrency(concurrency, '');
  const results = new Array<BatchResult<T>>(items.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) {
      const item = items[i]!;
      try {
        results[i] = { machine: name(item), ok: true, value: await fn(item) };
      } catch (error) {
        results[i] = { machine: name(item), ok: false, error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, items.length)) }, worker));
  return results;
}

/** `value` if it is an integer from 1 upwards (or Infinity); `where` prefixes the message ("ssh driver"). */
export function checkConcurrency(value: unknown, where: string): number {
  if ((typeof value === 'number' && Number.isInteger(value) && value >= 1) || value === Number.POSITIVE_INFINITY) return value;
  const shown = typeof value === 'number' || typeof value === 'bigint' ? String(value) : JSON.stringify(value);
  throw new ConfigError(`${where ? `${where}: e` : 'E'}xpected \`concurrency\` to be an integer from 1 upwards, got ${shown}.`);
}

/** A driver config's `concurrency` (default 8), checked where the driver reads it. */
export function driverConcurrency(config: Readonly<Record<string, unknown>>, driver: string): number {
  return config.concurrency === undefined ? 8 : checkConcurrency(config.concurrency, `${driver} driver`);
}

/** Throw one error naming every machine that failed (after all of them finished). */
export function throwIfFailed<T>(operation: string, results: readonly BatchResult<T>[]): T[] {
  const failures = results.flatMap((r) => (r.ok ? [] : [{ machine: r.machine, error: r.error }]));
  if (failures.length > 0) throw new MachineBatchError(operation, failures, results.length);
  return results.map((r) => (r as { value: T }).value);
}

const byName = (r: MachineRequest) => r.spec.name;
const specName = (s: MachineSpec) => s.name;

export function allocateMachines(
  driver: Driver,
  action: DriverActions,
  requests: readonly MachineRequest[],
  ctx: DriverContext,
): Promise<BatchResult<void>[]> {
  if (driver.allocateMachines) return driver.allocateMachines(action, requests, ctx);
  return fanOut(requests, driver.concurrency, byName, (r) =>
    driver.allocateMachine(action.forMachine(r.spec.name), r.spec, r.options, ctx),
  );
}

export function readyMachines(
  driver: Driver,
  action: DriverActions,
  requests: readonly MachineRequest[],
  ctx: DriverContext,
): Promise<BatchResult<Machine>[]> {
  if (driver.readyMachines) return driver.readyMachines(action, requests, ctx);
  return fanOut(requests, driver.concurrency, byName, (r) => driver.readyMachine(action.forMachine(r.spec.name), r.spec, r.options, ctx));
}

export function stopMachines(
  driver: Driver,
  action: DriverActions,
  specs: readonly MachineSpec[],
  ctx: DriverContext,
): Promise<BatchResult<void>[]> {
  if (driver.stopMachines) return driver.stopMachines(action, specs, ctx);
  return fanOut(specs, driver.concurrency, specName, (s) => driver.stopMachine(action.forMachine(s.name), s, ctx));
}

export function destroyMachines(
  driver: Driver,
  action: DriverActions,
  specs: readonly MachineSpec[],
  ctx: DriverContext,
): Promise<BatchResult<void>[]> {
  if (driver.destroyMachines) return driver.destroyMachines(action, specs, ctx);
  return fanOut(specs, driver.concurrency, specName, (s) => driver.destroyMachine(action.forMachine(s.name), s, ctx));
}

import { builtinRegistries } from '../../src/builtins.js';
import type { Driver } from '../../src/drivers/driver.js';

// Tests that drive a driver directly get it from a registry of the built-ins,
// not from the process-wide one (which only src/index.ts fills).
const { drivers } = builtinRegistries();

/** The built-in driver for `url`, as a scheduler with the default registries would make it. */
export function driverForUrl(url: string, config: Readonly<Record<string, unknown>> = {}): Driver {
  return drivers.driverForUrl(url, config);
}

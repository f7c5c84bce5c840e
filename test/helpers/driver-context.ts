import { randomUUID } from 'node:crypto';
import type { DriverContext } from '../../src/drivers/driver.js';
import type { MachineSpec } from '../../src/drivers/machine-spec.js';
import { KeyStore } from '../../src/keys/key-store.js';
import { silentLogger } from '../../src/logger.js';

/** A DriverContext for calling a driver directly: `recorded` keeps every reference written, by machine. */
export function driverContext(keyPaths: string[], overrides: Partial<DriverContext> = {}) {
  const recorded = new Map<string, MachineSpec['reference']>();
  const ctx: DriverContext = {
    ownerId: randomUUID(),
    signal: new AbortController().signal,
    logger: silentLogger,
    keys: new KeyStore({ keyPaths }),
    record: async (spec) => {
      recorded.set(spec.name, spec.reference);
    },
    ...overrides,
  };
  return { ctx, recorded };
}

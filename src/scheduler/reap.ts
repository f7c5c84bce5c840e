import { resolve } from 'node:path';
import type { Driver } from '../drivers/driver.js';
import type { DriverRegistry } from '../drivers/registry.js';
import { ConfigError } from '../errors.js';
import { reviveProvisioner } from '../serialize/codec.js';
import type { ProvisionerRegistry } from '../serialize/registry.js';
import { readStateFile } from '../state/file-store.js';
import { StateLock } from '../state/lock.js';
import { Machines } from '../provisioners/machines/machines.js';

export interface ReapOptions {
  stateFile: string;
  registry: ProvisionerRegistry;
  /** Makes the drivers to look in. */
  driverRegistry: DriverRegistry;
  /** Only list what would be removed. */
  dryRun: boolean;
  signal: AbortSignal;
  /** Drivers to look in besides those the state's machine provisioners use, by URL with their config (e.g. `{ netns: { prefix } }`). */
  drivers?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface ReapResult {
  stateId: string;
  /** Per driver URL, the orphaned machines found (and removed unless dry run). */
  found: Array<{ driverUrl: string; machines: string[] }>;
}

/**
 * Find (and remove) machines tagged with this state's id that no record in
 * the state owns: what a crash between create and record leaves behind. Holds
 * the state lock throughout, so it never reaps a machine a running process is
 * creating; it never writes the state file.
 */
export async function reapMachines(options: ReapOptions): Promise<ReapResult> {
  const stateFile = resolve(options.stateFile);
  const lock = new StateLock(stateFile);
  await lock.acquire();
  try {
    const state = await readStateFile(stateFile);
    if (!state)
      throw new ConfigError(`No state file at ${stateFile}: there is no state whose machines could be reaped. Pass --state FILE.`);
    const owned = new Set<string>();
    const drivers = new Map<string, Driver>();
    const add = (driver: Driver, config: unknown) => drivers.set(`${driver.driverUrl} ${JSON.stringify(config)}`, driver);
    for (const group of Object.values(state.groups)) {
      for (const [step, saved] of group.steps.entries()) {
        // Unknown classes throw: reaping without knowing every record could remove a machine in use.
        const provisioner = reviveProvisioner(saved.provisioner, options.registry, { group: group.name, step });
        if (!(provisioner instanceof Machines)) continue;
        add(provisioner.driverFor(options.driverRegistry), provisioner.driverConfig);
        for (const ref of Object.values(provisioner.references)) {
          for (const id of Object.values(ref.ids)) if (typeof id === 'string') owned.add(id);
        }
      }
    }
    // After the state's drivers (whose folders hold the machines' files), the configured ones.
    for (const [url, config] of Object.entries(options.drivers ?? { netns: {} }))
      add(options.driverRegistry.driverForUrl(url, config), config);
    const found: ReapResult['found'] = [];
    const seen = new Set<string>();
    for (const driver of drivers.values()) {
      if (!driver.reap) continue;
      const machines = (await driver.reap(state.id, owned, { dryRun: options.dryRun, signal: options.signal })).filter((m) => !seen.has(m));
      for (const m of machines) seen.add(m);
      found.push({ driverUrl: driver.driverUrl, machines });
    }
    return { stateId: state.id, found };
  } finally {
    await lock.release();
  }
}

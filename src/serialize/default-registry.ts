import type { ProvisionerClass } from '../provisioners/contract.js';
import { ProvisionerRegistry } from './registry.js';

let shared: ProvisionerRegistry | undefined;

/**
 * The process-wide registry that `registerProvisioner` fills, the Scheduler's
 * default. It starts empty: the serialize layer knows no provisioner, and the
 * built-in ones are put in by src/builtins.ts (which src/index.ts runs).
 */
export function defaultRegistry(): ProvisionerRegistry {
  return (shared ??= new ProvisionerRegistry());
}

/**
 * Register a provisioner class so its instances can be snapshotted and revived.
 * Call it once, in the module that defines the class. `id` defaults to the
 * class name and is what the state file records; keep it stable.
 */
export function registerProvisioner(Class: ProvisionerClass, id?: string): void {
  defaultRegistry().register(Class, id);
}

import type { ProvisionerClass } from '../provisioners/contract.js';
import { builtinProvisioners } from '../provisioners/builtins.js';
import { ProvisionerRegistry } from './registry.js';

let shared: ProvisionerRegistry | undefined;

/**
 * The process-wide registry that `registerProvisioner` fills, with the
 * built-in provisioners in it. Created on first use, not at import.
 */
export function defaultRegistry(): ProvisionerRegistry {
  if (!shared) {
    shared = new ProvisionerRegistry();
    for (const Class of builtinProvisioners()) shared.register(Class);
  }
  return shared;
}

/**
 * Register a provisioner class so its instances can be snapshotted and revived.
 * Call it once, in the module that defines the class. `id` defaults to the
 * class name and is what the state file records; keep it stable.
 */
export function registerProvisioner(Class: ProvisionerClass, id?: string): void {
  defaultRegistry().register(Class, id);
}

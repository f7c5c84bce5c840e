// Where the built-in provisioners and drivers are assembled: the layers below
// (serialize, drivers) know none of them by name.
import { defaultDriverRegistry, DriverRegistry } from './drivers/registry.js';
import type { DriverFactory } from './drivers/driver.js';
import { LocalDriver } from './drivers/local/local-driver.js';
import { NetnsDriver } from './drivers/netns/netns-driver.js';
import { SshDriver } from './drivers/ssh/ssh-driver.js';
import type { ProvisionerClass } from './provisioners/contract.js';
import { HttpCheck } from './provisioners/http-check.js';
import { LocalCommand } from './provisioners/local-command.js';
import { LocalService } from './provisioners/local-service.js';
import { Machines } from './provisioners/machines/machines.js';
import { RunOnMachines } from './provisioners/machines/run-on-machines.js';
import { RemoteService } from './provisioners/remote-service.js';
import { PluginTaskStep } from './plugins/cluster/plugin-task-step.js';
import { defaultRegistry } from './serialize/default-registry.js';
import { ProvisionerRegistry } from './serialize/registry.js';

export const BUILTIN_PROVISIONERS: readonly ProvisionerClass[] = [
  LocalCommand,
  LocalService,
  HttpCheck,
  Machines,
  RunOnMachines,
  RemoteService,
  PluginTaskStep,
];

export const BUILTIN_DRIVERS: Readonly<Record<string, DriverFactory>> = {
  netns: (url, config) => new NetnsDriver(url, config),
  ssh: (url, config) => new SshDriver(url, config),
  local: (url, config) => new LocalDriver(url, config),
};

/**
 * Put the built-in provisioners and drivers into the given registries (default:
 * the process-wide ones). Idempotent; a driver scheme already registered (a
 * user's own `netns`, say) is left as it is.
 */
export function registerBuiltins(into: { provisioners?: ProvisionerRegistry; drivers?: DriverRegistry } = {}): {
  provisioners: ProvisionerRegistry;
  drivers: DriverRegistry;
} {
  const provisioners = into.provisioners ?? defaultRegistry();
  const drivers = into.drivers ?? defaultDriverRegistry();
  for (const Class of BUILTIN_PROVISIONERS) if (provisioners.idOf(Class) === undefined) provisioners.register(Class);
  for (const [scheme, factory] of Object.entries(BUILTIN_DRIVERS)) if (!drivers.has(scheme)) drivers.register(scheme, factory);
  return { provisioners, drivers };
}

/** Fresh registries holding only the built-ins (for an isolated scheduler or a test). */
export function builtinRegistries(): { provisioners: ProvisionerRegistry; drivers: DriverRegistry } {
  return registerBuiltins({ provisioners: new ProvisionerRegistry(), drivers: new DriverRegistry() });
}

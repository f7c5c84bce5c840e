import { expect, it } from 'vitest';
import { BUILTIN_DRIVERS, registerBuiltins } from '../../src/builtins.js';
import { defaultDriverRegistry, DriverRegistry } from '../../src/drivers/registry.js';
import { defaultRegistry } from '../../src/serialize/default-registry.js';
import { ProvisionerRegistry } from '../../src/serialize/registry.js';

it('the process-wide registries start empty; importing the public API puts the built-ins in', async () => {
  // This file has not imported src/index.ts yet: the layers themselves register nothing.
  expect(defaultRegistry().ids()).toEqual([]);
  expect(defaultDriverRegistry().schemes()).toEqual([]);
  await import('../../src/index.js');
  expect(defaultRegistry().ids().sort()).toEqual(['HttpCheck', 'LocalCommand', 'LocalService', 'Machines', 'PluginTaskStep', 'RunOnMachines']); // PluginTaskStep: plugins-cluster
  expect(defaultDriverRegistry().schemes()).toEqual(['local', 'netns', 'ssh']);
});

it('registerBuiltins is idempotent and keeps a driver scheme registered before it', () => {
  const provisioners = new ProvisionerRegistry();
  const drivers = new DriverRegistry();
  const made: string[] = [];
  drivers.register('local', (url, config) => {
    made.push(url);
    return BUILTIN_DRIVERS.local!(url, config);
  });
  registerBuiltins({ provisioners, drivers });
  registerBuiltins({ provisioners, drivers });
  expect(provisioners.ids()).toHaveLength(6); // with PluginTaskStep (plugins-cluster)
  expect(drivers.schemes()).toEqual(['local', 'netns', 'ssh']);
  drivers.driverForUrl('local');
  expect(made).toEqual(['local']);
});

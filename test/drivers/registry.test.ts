import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { builtinRegistries, registerBuiltins } from '../../src/builtins.js';
import { DriverRegistry } from '../../src/drivers/registry.js';
import { Scheduler } from '../../src/scheduler/scheduler.js';
import { ProvisionerRegistry } from '../../src/serialize/registry.js';
import { driverForUrl } from '../helpers/drivers.js';
import { tempStateFile } from '../helpers/temp.js';
import { ConfigError } from '../../src/errors.js';
import { Machines } from '../../src/provisioners/machines/machines.js';

it('canonicalizes driver URLs', () => {
  expect(driverForUrl('netns').driverUrl).toBe('netns:/run/groundwork');
  expect(driverForUrl('netns:/srv/machines').driverUrl).toBe('netns:/srv/machines');
  expect(driverForUrl('netns:rel/dir').driverUrl).toBe(`netns:${resolve('rel/dir')}`);
  expect(driverForUrl('ssh:hosts.json').driverUrl).toBe(`ssh:${join(process.cwd(), 'hosts.json')}`);
  expect(driverForUrl('ssh:/etc/gw/hosts.json').driverUrl).toBe('ssh:/etc/gw/hosts.json');
  expect(driverForUrl('local').driverUrl).toBe('local');
});

it('names the known drivers when the scheme is unknown', () => {
  const error = (() => {
    try {
      driverForUrl('vagrant:~/vms');
    } catch (e) {
      return e;
    }
  })();
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toBe('Unknown driver "vagrant" in URL "vagrant:~/vms"; known drivers: local, netns, ssh.');
});

it('checks driver config, naming the field and the value', () => {
  expect(() => driverForUrl('netns', { subnet: '10.1.0.0/33' })).toThrow(
    /expected `subnet` to be an IPv4 CIDR from \/8 to \/30 like "10.200.0.0\/16", got "10.1.0.0\/33"/,
  );
  expect(() => driverForUrl('netns', { prefix: 'Bad-Prefix' })).toThrow(
    /expected `prefix` to be up to 8 lowercase letters or digits, starting with a letter, got "Bad-Prefix"/,
  );
});

it('Machines checks its options at config time, naming the field and the value', () => {
  const { drivers } = builtinRegistries();
  expect(() => new Machines({ driver: 'netns', machines: ['web1', 'web/2'], keyName: 'k', drivers })).toThrow(
    /Expected `machines\[1\]` to be a machine name \(letters, digits, '-' or '_', up to 40\), got "web\/2"/,
  );
  expect(() => new Machines({ driver: 'netns', machines: [], drivers })).toThrow(
    /expected `machines` to be a non-empty array of names, got \[\]/,
  );
  expect(() => new Machines({ driver: 'vagrant', machines: ['a'], drivers })).toThrow(
    /Unknown driver "vagrant" in URL "vagrant"; known drivers: local, netns, ssh/,
  );
  expect(new Machines({ driver: 'netns', machines: ['a'], drivers }).driverUrl).toBe('netns:/run/groundwork');
});

it('Machines makes its driver from the registry the scheduler hands it (ctx.drivers), not a global one', async () => {
  const { drivers } = builtinRegistries();
  const own = new DriverRegistry();
  const made: string[] = [];
  // A `local` driver that notes each use: the scheduler's registry is the one asked.
  own.register('local', (url, config) => {
    made.push(url);
    return drivers.driverForUrl(url, config);
  });
  const registry = new ProvisionerRegistry();
  registerBuiltins({ provisioners: registry });
  await using scheduler = await Scheduler.open({ stateFile: await tempStateFile(), registry, drivers: own });
  await scheduler.schedule('m', [new Machines({ driver: 'local', machines: ['here'], drivers })]);
  const summary = await scheduler.run();
  expect(summary.groups.map((g) => [g.group, g.state, g.error])).toEqual([['m', 'provisioned', undefined]]);
  expect(made).toEqual(['local']);
  await scheduler.teardown();
  expect(made).toEqual(['local', 'local']);
});

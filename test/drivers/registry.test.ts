import { join, resolve } from 'node:path';
import { expect, it } from 'vitest';
import { driverForUrl } from '../helpers/drivers.js';
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
  expect(() => new Machines({ driver: 'netns', machines: ['web1', 'web/2'], keyName: 'k' })).toThrow(
    /Expected `machines\[1\]` to be a machine name \(letters, digits, '-' or '_', up to 40\), got "web\/2"/,
  );
  expect(() => new Machines({ driver: 'netns', machines: [] })).toThrow(/expected `machines` to be a non-empty array of names, got \[\]/);
  expect(() => new Machines({ driver: 'vagrant', machines: ['a'] })).toThrow(
    /Unknown driver "vagrant" in URL "vagrant"; known drivers: local, netns, ssh/,
  );
  expect(new Machines({ driver: 'netns', machines: ['a'] }).driverUrl).toBe('netns:/run/groundwork');
});

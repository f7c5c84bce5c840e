import type { Driver, DriverFactory } from './driver.js';
import { LocalDriver } from './local/local-driver.js';
import { NetnsDriver } from './netns/netns-driver.js';
import { DriverRegistry } from './registry.js';
import { SshDriver } from './ssh/ssh-driver.js';

let shared: DriverRegistry | undefined;

/** The process-wide driver registry, with `netns`, `ssh` and `local` in it. Created on first use. */
export function defaultDriverRegistry(): DriverRegistry {
  if (!shared) {
    shared = new DriverRegistry();
    shared.register('netns', (url, config) => new NetnsDriver(url, config));
    shared.register('ssh', (url, config) => new SshDriver(url, config));
    shared.register('local', (url, config) => new LocalDriver(url, config));
  }
  return shared;
}

/** Make drivers of `scheme` available to `driverForUrl` (and machine provisioners). */
export function registerDriver(scheme: string, factory: DriverFactory): void {
  defaultDriverRegistry().register(scheme, factory);
}

/** The driver for `url`, its `driverUrl` canonical (`netns` → `netns:/run/groundwork`). Unknown schemes list the known ones. */
export function driverForUrl(url: string, config: Readonly<Record<string, unknown>> = {}): Driver {
  return defaultDriverRegistry().driverForUrl(url, config);
}

import { ConfigError } from '../errors.js';
import type { Driver, DriverFactory } from './driver.js';

/**
 * Drivers by URL scheme (`netns`, `ssh`, `local`). The Scheduler takes one
 * (`SchedulerOptions.drivers`) and hands it to provisioners as `ctx.drivers`;
 * reaping and config checks take one too. Without it they use the process-wide
 * registry below, which `registerDriver` fills.
 */
export class DriverRegistry {
  readonly #factories = new Map<string, DriverFactory>();

  register(scheme: string, factory: DriverFactory): void {
    if (!/^[a-z][a-z0-9+.-]*$/.test(scheme)) throw new ConfigError(`Expected a driver scheme like "netns", got ${JSON.stringify(scheme)}.`);
    this.#factories.set(scheme, factory);
  }

  has(scheme: string): boolean {
    return this.#factories.has(scheme);
  }

  schemes(): string[] {
    return [...this.#factories.keys()].sort();
  }

  /** Make the driver for `url`; its `driverUrl` is the canonical form of `url`. */
  driverForUrl(url: string, config: Readonly<Record<string, unknown>> = {}): Driver {
    if (typeof url !== 'string' || url === '')
      throw new ConfigError(`Expected a driver URL like "netns" or "ssh:hosts.json", got ${JSON.stringify(url)}.`);
    const scheme = url.split(':', 1)[0]!;
    const factory = this.#factories.get(scheme);
    if (!factory) {
      throw new ConfigError(
        `Unknown driver ${JSON.stringify(scheme)} in URL ${JSON.stringify(url)}; known drivers: ${this.schemes().join(', ')}.`,
      );
    }
    return factory(url, config);
  }
}

/** The part of a URL after its scheme (`ssh:hosts.json` → `hosts.json`), or '' when there is none. */
export function urlRest(url: string): string {
  const colon = url.indexOf(':');
  return colon < 0 ? '' : url.slice(colon + 1);
}

let shared: DriverRegistry | undefined;

/**
 * The process-wide driver registry, the default wherever a registry is not
 * passed. It starts empty: src/builtins.ts (run by src/index.ts and the CLI)
 * puts the built-in drivers in.
 */
export function defaultDriverRegistry(): DriverRegistry {
  return (shared ??= new DriverRegistry());
}

/** Make drivers of `scheme` available to machine provisioners of every scheduler that uses the process-wide registry. */
export function registerDriver(scheme: string, factory: DriverFactory): void {
  defaultDriverRegistry().register(scheme, factory);
}

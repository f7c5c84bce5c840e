import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultDriverRegistry, type DriverRegistry } from '../drivers/registry.js';
import { ConfigError } from '../errors.js';
import type { GroupSpec } from '../scheduler/options.js';
import { validateGraph } from '../scheduler/graph.js';
import { assertGroupName } from '../scheduler/validate-group.js';
import { DEFAULT_STATE_FILE } from '../state/file-store.js';
import type { GroundworkConfig } from './define.js';
import { importConfigModule } from './import-config.js';
import { pluginDirsOf } from './plugin-dirs.js';

export const DEFAULT_CONFIG_FILE = 'groundwork.config.ts';

const FROM_SOURCES = import.meta.url.endsWith('.ts');

/** Would the running TypeScript loader load `file` as ESM? (A .ts file in a CommonJS folder it loads as CommonJS.) */
function isEsmScope(file: string): boolean {
  if (/\.m[jt]s$/.test(file)) return true;
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: string }).type === 'module';
    if (dirname(dir) === dir) return false;
  }
}

/**
 * Import a user's TypeScript or JavaScript module the way configs are imported (natively
 * from sources in an ESM scope, else bundled by import-config.ts). Plugin modules use it too.
 */
export async function importUserModule(path: string): Promise<Record<string, unknown> & { default?: unknown }> {
  return FROM_SOURCES && isEsmScope(path)
    ? ((await import(pathToFileURL(path).href)) as Record<string, unknown>)
    : ((await importConfigModule(path)) as Record<string, unknown>);
}

/** A checked config, paths made absolute. */
export interface ResolvedConfig {
  file: string | undefined;
  stateFile: string;
  concurrency: number;
  groups: GroupSpec[];
  /** Driver settings by URL (see GroundworkConfig.drivers). */
  drivers: Record<string, Record<string, unknown>>;
  /** plugins-model (issue 11): `plugins.dirs`, then loomCluster's pluginDirs; absolute (see plugin-dirs.ts). */
  pluginDirs: string[];
  /** State in PostgreSQL: the config's URL (if any) and the state's name (always set: default the config's folder name). */
  database: { url: string | undefined; state: string };
}

/**
 * Import a config module and check it. Run from its TypeScript sources (this
 * repository, under tsx or vitest) Groundwork imports the config natively, so
 * it shares the loader's module instances; installed as a package it bundles
 * the config first (import-config.ts), which works in CommonJS and ESM projects alike.
 * `drivers` checks its driver settings.
 */
export async function loadConfig(file: string, drivers?: DriverRegistry): Promise<ResolvedConfig> {
  const path = resolve(file);
  if (!existsSync(path)) throw new ConfigError(`Config file ${path} does not exist; create it (see README) or pass --config FILE.`);
  let mod: { default?: unknown };
  try {
    mod = await importUserModule(path);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`Cannot load config ${path}: ${(error as Error).message}`, { cause: error });
  }
  if (mod.default === undefined) throw new ConfigError(`Config ${path} has no default export; export default defineConfig({ ... }).`);
  return resolveConfig(mod.default, path, drivers);
}

/** Check a config object; errors name the field and the bad value. Driver settings are checked by `drivers` (default: the process-wide registry). */
export function resolveConfig(value: unknown, file?: string, drivers: DriverRegistry = defaultDriverRegistry()): ResolvedConfig {
  const where = file ?? 'config';
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new ConfigError(`${where}: expected \`${field}\` to be ${expected}, got ${show(got)}.`);
  };
  if (typeof value !== 'object' || value === null) fail('default export', 'an object made with defineConfig()', value);
  const config = value as GroundworkConfig;
  if (config.stateFile !== undefined && (typeof config.stateFile !== 'string' || config.stateFile === '')) {
    fail('stateFile', 'a file path', config.stateFile);
  }
  const concurrency = config.concurrency ?? 8;
  if (!Number.isInteger(concurrency) || concurrency < 1) fail('concurrency', 'an integer from 1 upwards', config.concurrency);
  if (typeof config.groups !== 'object' || config.groups === null || Array.isArray(config.groups)) {
    fail('groups', 'an object of groups by name', config.groups);
  }
  const groups: GroupSpec[] = Object.entries(config.groups).map(([name, group]) => {
    assertGroupName(name, `groups["${name}"]`);
    if (typeof group !== 'object' || group === null) fail(`groups.${name}`, 'an object', group);
    const dependsOn = group.dependsOn ?? [];
    if (!Array.isArray(dependsOn)) fail(`groups.${name}.dependsOn`, 'an array of group names', dependsOn);
    dependsOn.forEach((dep, i) => {
      if (typeof dep !== 'string' || !(dep in config.groups)) {
        fail(`groups.${name}.dependsOn[${i}]`, `one of the groups (${Object.keys(config.groups).join(', ')})`, dep);
      }
    });
    if (typeof group.provisioners !== 'function')
      fail(`groups.${name}.provisioners`, 'a function returning an array of provisioners', group.provisioners);
    return { name, dependsOn, provisioners: group.provisioners };
  });
  const driverSettings = config.drivers ?? { netns: {} };
  if (typeof driverSettings !== 'object' || driverSettings === null || Array.isArray(driverSettings))
    fail('drivers', 'an object of driver settings by URL', driverSettings);
  for (const [url, settings] of Object.entries(driverSettings)) {
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings))
      fail(`drivers["${url}"]`, 'an object of settings', settings);
    try {
      drivers.driverForUrl(url, settings);
    } catch (error) {
      throw new ConfigError(`${where}: \`drivers["${url}"]\`: ${(error as Error).message}`, { cause: error });
    }
  }
  validateGraph(groups.map((g) => ({ name: g.name, dependsOn: g.dependsOn ?? [] })));
  const base = file ? dirname(file) : process.cwd();
  // plugins-model (issue 11)
  const pluginDirs = config.plugins?.dirs ?? [];
  if (typeof config.plugins !== 'undefined' && (typeof config.plugins !== 'object' || config.plugins === null)) fail('plugins', 'an object { dirs: [...] }', config.plugins);
  if (!Array.isArray(pluginDirs) || !pluginDirs.every((d) => typeof d === 'string' && d !== '')) fail('plugins.dirs', 'an array of folder paths', pluginDirs);
  return {
    file,
    stateFile: resolve(base, config.stateFile ?? DEFAULT_STATE_FILE),
    concurrency,
    groups,
    drivers: driverSettings,
    pluginDirs: pluginDirsOf(config, base),
    database: resolveDatabase(config.database, base, fail),
  };
}

// State in PostgreSQL (issue 12): `database: { url?, state? }`.
function resolveDatabase(value: unknown, base: string, fail: (field: string, expected: string, got: unknown) => never) {
  if (value !== undefined && (typeof value !== 'object' || value === null || Array.isArray(value)))
    fail('database', 'an object { url, state }', value);
  const { url, state } = (value ?? {}) as { url?: unknown; state?: unknown };
  // The URL may hold a password: the message names the field, not the value.
  if (url !== undefined && (typeof url !== 'string' || !/^postgres(ql)?:\/\//.test(url)))
    fail('database.url', 'a postgres:// URL', typeof url === 'string' ? '(a string that is not one)' : url);
  const name = state ?? basename(base);
  if (typeof name !== 'string' || name.trim() === '' || name.length > 200)
    fail('database.state', 'a non-empty name of at most 200 characters', state);
  return { url: url as string | undefined, state: name as string };
}

function show(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

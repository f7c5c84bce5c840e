import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../../errors.js';
import type { ClusterOptions } from '../options.js';

/** The part of Jest's project config the hooks read (Jest passes it as globalSetup's second argument). */
export interface JestProjectConfig {
  rootDir: string;
  testEnvironmentOptions?: Record<string, unknown>;
}

const WHERE = 'jest config testEnvironmentOptions.groundwork';

/**
 * The hook options from `testEnvironmentOptions: { groundwork: { config, groups, stateFile, keep } }`
 * (Jest passes that object through untouched and JSON-only, so no logger). Paths are
 * relative to the project's rootDir; the config defaults to rootDir/groundwork.config.ts.
 */
export function jestOptions(project: JestProjectConfig | undefined): ClusterOptions {
  if (!project || typeof project.rootDir !== 'string')
    throw new ConfigError(
      "groundwork/jest: no project config was passed; use it as the jest config's globalSetup / globalTeardown module.",
    );
  const raw = project.testEnvironmentOptions?.groundwork ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('', `expected an object, got ${shown(raw)}`);
  const { config, groups, stateFile, keep, ...rest } = raw as Record<string, unknown>;
  const unknown = Object.keys(rest)[0];
  if (unknown !== undefined) fail(`.${unknown}`, 'no such option; the options are config, groups, stateFile, keep');
  const path = (field: string, value: unknown): string => {
    if (typeof value !== 'string' || value === '') fail(`.${field}`, `expected a path (relative to rootDir), got ${shown(value)}`);
    return isAbsolute(value) ? value : resolve(project.rootDir, value);
  };
  if (groups !== undefined && (!Array.isArray(groups) || groups.some((g) => typeof g !== 'string')))
    fail('.groups', `expected an array of group names, got ${shown(groups)}`);
  if (keep !== undefined && typeof keep !== 'boolean') fail('.keep', `expected true or false, got ${shown(keep)}`);
  return {
    config: path('config', config ?? 'groundwork.config.ts'),
    ...(stateFile !== undefined ? { stateFile: path('stateFile', stateFile) } : {}),
    ...(groups !== undefined ? { groups: groups as string[] } : {}),
    ...(keep !== undefined ? { keep } : {}),
  };
}

function fail(field: string, problem: string): never {
  throw new ConfigError(`${WHERE}${field}: ${problem}.`);
}

function shown(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

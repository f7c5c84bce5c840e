import { readdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { importUserModule } from '../config/load.js';
import { describeError, PluginError } from '../errors.js';
import { Automator, AUTOMATOR_METHODS, type Plugin, Provider, PROVIDER_METHODS } from './base.js';
import type { PluginKind } from './registry.js';

const MODULE = /\.(ts|js|mjs)$/;
const NOT_A_MODULE = /\.(d\.ts|test\.ts|spec\.ts)$/;

/**
 * The class export named `classname` from a .ts/.js/.mjs module in the
 * descriptor's folder (`<name>.*` tried first), checked against its base
 * class and its methods. Refusals name the descriptor file.
 */
export async function loadPluginClass(
  descriptorFile: string,
  folder: string,
  classname: string,
  kind: PluginKind,
): Promise<new () => Plugin> {
  const name = basename(folder);
  const modules = (await readdir(folder))
    .filter((f) => MODULE.test(f) && !NOT_A_MODULE.test(f))
    .sort((a, b) => Number(b.replace(MODULE, '') === name) - Number(a.replace(MODULE, '') === name) || a.localeCompare(b));
  if (modules.length === 0) {
    throw new PluginError(
      descriptorFile,
      `${descriptorFile} names class ${classname}, but ${folder} has no .ts, .js or .mjs module; put the class's module beside the descriptor.`,
    );
  }
  let found: unknown;
  for (const file of modules) {
    const path = join(folder, file);
    let mod: Record<string, unknown>;
    try {
      mod = await importUserModule(path);
    } catch (error) {
      throw new PluginError(
        descriptorFile,
        `Cannot load ${path} (module of the plugin described by ${descriptorFile}): ${describeError(error)}`,
        error,
      );
    }
    if (classname in mod) {
      found = mod[classname];
      break;
    }
  }
  if (found === undefined) {
    throw new PluginError(
      descriptorFile,
      `${descriptorFile} names class ${classname}, but no module in ${folder} exports it (looked in ${modules.join(', ')}); export the class by that name.`,
    );
  }
  return checkClass(found, descriptorFile, classname, kind);
}

function checkClass(value: unknown, descriptorFile: string, classname: string, kind: PluginKind): new () => Plugin {
  const base = kind === 'provider' ? Provider : Automator;
  const baseName = kind === 'provider' ? 'Provider' : 'Automator';
  if (typeof value !== 'function' || !(value.prototype instanceof base)) {
    throw new PluginError(
      descriptorFile,
      `${classname} (named by ${descriptorFile}) is not a class extending ${baseName}; write \`export class ${classname} extends ${baseName}\` (imported from groundwork).`,
    );
  }
  const methods = kind === 'provider' ? PROVIDER_METHODS : AUTOMATOR_METHODS;
  const missing = methods.filter((m) => typeof (value.prototype as Record<string, unknown>)[m] !== 'function');
  if (missing.length > 0) {
    throw new PluginError(
      descriptorFile,
      `${classname} (named by ${descriptorFile}) does not implement ${missing.map((m) => `${m}()`).join(', ')}; a ${kind} needs ${methods.join(', ')}.`,
    );
  }
  return value as unknown as new () => Plugin;
}

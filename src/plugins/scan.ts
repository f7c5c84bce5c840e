import { constants } from 'node:fs';
import { access, readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { PluginError } from '../errors.js';
import { runClassPlugin } from './class-runner.js';
import { parseDescriptor, type DescriptorEntry } from './descriptor.js';
import { runExecutablePlugin } from './executable.js';
import { loadPluginClass } from './load-class.js';
import type { LoadedPlugin, PluginKind } from './registry.js';

const FOLDERS: ReadonlyArray<[string, PluginKind]> = [
  ['providers', 'provider'],
  ['automators', 'automator'],
];

/**
 * Finds `<dir>/providers/<name>/<name>.json` and `<dir>/automators/<name>/<name>.json`,
 * in name order, and loads what each declares. Anything wrong is refused (PluginError
 * naming the descriptor): a plugin dir is configuration, not a best effort.
 */
export async function scanPluginDir(dir: string): Promise<LoadedPlugin[]> {
  const root = resolve(dir);
  if (!(await isDir(root)))
    throw new PluginError(undefined, `Plugin dir ${root} does not exist or is not a folder; create it or remove it from the plugin dirs.`);
  const out: LoadedPlugin[] = [];
  for (const [folderName, kind] of FOLDERS) {
    const folder = join(root, folderName);
    if (!(await isDir(folder))) continue;
    for (const name of (await readdir(folder)).sort()) {
      const pluginDir = join(folder, name);
      if (!(await isDir(pluginDir))) continue;
      const descriptorFile = join(pluginDir, `${name}.json`);
      const text = await readFile(descriptorFile, 'utf8').catch((error: NodeJS.ErrnoException) => {
        throw new PluginError(
          descriptorFile,
          `Plugin folder ${pluginDir} has no readable descriptor ${name}.json (${error.code ?? error.message}); add it or remove the folder.`,
          error,
        );
      });
      for (const entry of parseDescriptor(descriptorFile, text, kind)) out.push(await loadEntry(entry, descriptorFile, pluginDir));
    }
  }
  return out;
}

async function loadEntry(entry: DescriptorEntry, descriptorFile: string, folder: string): Promise<LoadedPlugin> {
  const common = {
    name: entry.type,
    kind: entry.kind,
    descriptorFile,
    parameters: entry.parameters,
    ...(entry.description ? { description: entry.description } : {}),
  };
  if (entry.classname !== undefined) {
    const Class = await loadPluginClass(descriptorFile, folder, entry.classname, entry.kind);
    const source = { ...common, Class };
    return { ...common, run: (task, hooks) => runClassPlugin(source, task, hooks) };
  }
  const executable = resolve(folder, entry.executable!);
  if (!executable.startsWith(folder + '/')) {
    throw new PluginError(
      descriptorFile,
      `${descriptorFile}: "${entry.type}.executable" (${entry.executable}) must be inside the plugin's folder ${folder}.`,
    );
  }
  await access(executable, constants.X_OK).catch((error: NodeJS.ErrnoException) => {
    throw new PluginError(
      descriptorFile,
      `${descriptorFile}: "${entry.type}.executable" ${executable} ${error.code === 'ENOENT' ? 'does not exist' : 'is not executable'}; ${error.code === 'ENOENT' ? 'fix the path' : `chmod +x it`}.`,
      error,
    );
  });
  const source = { ...common, executable, folder };
  return { ...common, run: (task, hooks) => runExecutablePlugin(source, task, hooks) };
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

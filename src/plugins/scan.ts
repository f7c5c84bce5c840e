import type { LoadedPlugin } from './registry.js';

/** Finds `<dir>/providers/<name>/<name>.json` and `<dir>/automators/<name>/<name>.json` (in progress). */
export async function scanPluginDir(_dir: string): Promise<LoadedPlugin[]> {
  return [];
}

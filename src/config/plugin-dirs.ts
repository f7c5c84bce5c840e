import { isAbsolute, resolve } from 'node:path';

// plugins-model (issue 11): where plugin dirs come from.

/** Where loomCluster records its pluginDirs on the groups object it returns (see README-contract.md). */
export const PLUGIN_DIRS: unique symbol = Symbol.for('groundwork.pluginDirs');

/** Tags `groups` with plugin dirs (non-enumerable, so the groups themselves are unchanged). Returns `groups`. */
export function tagPluginDirs<T extends object>(groups: T, dirs: readonly string[]): T {
  const previous = (groups as { [PLUGIN_DIRS]?: readonly string[] })[PLUGIN_DIRS] ?? [];
  Object.defineProperty(groups, PLUGIN_DIRS, { value: [...previous, ...dirs], enumerable: false, configurable: true });
  return groups;
}

/** `config.plugins.dirs`, then the dirs tagged on `config.groups`; relative ones against `configDir`; first wins. */
export function pluginDirsOf(config: { plugins?: { dirs?: readonly string[] }; groups?: object }, configDir: string): string[] {
  const tagged = (config.groups as { [PLUGIN_DIRS]?: readonly string[] } | undefined)?.[PLUGIN_DIRS] ?? [];
  const all = [...(config.plugins?.dirs ?? []), ...tagged].map((d) => (isAbsolute(d) ? d : resolve(configDir, d)));
  return [...new Set(all)];
}

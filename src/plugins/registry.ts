import { PluginError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PluginParameters } from './parameters.js';
import { scanPluginDir } from './scan.js';
import type { PluginResult, PluginTask } from './task.js';

export type PluginKind = 'provider' | 'automator';

/** Where password references are looked up when a task runs (like private keys: see KeyStore). */
export interface SecretSources {
  /** Folders holding secrets as files named after the reference (`{ file: 'name' }` → `<folder>/name`). */
  keyPaths?: readonly string[];
  /** Where `{ env: 'NAME' }` is read; default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface RunHooks {
  logger: Logger;
  signal: AbortSignal;
  /** Persist a partial result at once (the plugin called checkpoint(), or an executable wrote a checkpoint). */
  checkpoint(partial: PluginResult): Promise<void>;
  /** Where password fields' references are resolved; default: the environment only. */
  secrets?: SecretSources;
  /** Executable plugins: the limit of one run, after which it is killed and the task fails (default 1 hour). */
  timeoutMs?: number;
}

export interface LoadedPlugin {
  /** The type, e.g. "netns" or "shell". */
  name: string;
  kind: PluginKind;
  /** The descriptor's path, or '(built-in)'. */
  descriptorFile: string;
  description?: string;
  parameters: PluginParameters;
  /**
   * Runs one task (class or executable plugin), same semantics for both: never throws for a
   * plugin's own failure (that is `status` ≠ 0 with the error in `stderr`).
   */
  run(task: PluginTask, hooks: RunHooks): Promise<PluginResult>;
}

export const BUILTIN_SOURCE = '(built-in)';

/**
 * Every provider and automator known to a run: built-ins first (registerBuiltin),
 * then each plugin dir in order (load). A type is registered once per kind.
 */
export class PluginRegistry {
  readonly #plugins = new Map<string, LoadedPlugin>();

  registerBuiltin(plugin: Omit<LoadedPlugin, 'descriptorFile'> & { descriptorFile?: string }): void {
    this.add({ ...plugin, descriptorFile: plugin.descriptorFile ?? BUILTIN_SOURCE });
  }

  /** Adds a plugin; a second one of the same kind and type is refused, naming both sources. */
  add(plugin: LoadedPlugin): void {
    const key = `${plugin.kind}:${plugin.name}`;
    const existing = this.#plugins.get(key);
    if (existing) {
      throw new PluginError(
        plugin.descriptorFile,
        `${plugin.kind} type "${plugin.name}" is already registered by ${existing.descriptorFile}; ` +
          `rename the type in ${plugin.descriptorFile} or remove one of the two.`,
      );
    }
    this.#plugins.set(key, plugin);
  }

  /** Scans each dir (see scan.ts) in order and registers what it finds. */
  async load(dirs: readonly string[]): Promise<void> {
    for (const dir of dirs) for (const plugin of await scanPluginDir(dir)) this.add(plugin);
  }

  provider(type: string): LoadedPlugin {
    return this.#get('provider', type);
  }

  automator(type: string): LoadedPlugin {
    return this.#get('automator', type);
  }

  has(kind: PluginKind, type: string): boolean {
    return this.#plugins.has(`${kind}:${type}`);
  }

  /** In registration order: built-ins, then each dir's plugins. */
  list(): LoadedPlugin[] {
    return [...this.#plugins.values()];
  }

  #get(kind: PluginKind, type: string): LoadedPlugin {
    const plugin = this.#plugins.get(`${kind}:${type}`);
    if (plugin) return plugin;
    const known = this.list()
      .filter((p) => p.kind === kind)
      .map((p) => p.name);
    throw new PluginError(
      undefined,
      `No ${kind} plugin of type "${type}" is registered; known: ${known.join(', ') || '(none)'}. ` +
        `Check the type's spelling, or add its plugin dir to pluginDirs / plugins.dirs.`,
    );
  }
}

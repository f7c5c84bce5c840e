import { registerBuiltinPlugins } from '../../plugins/builtin/index.js';
import type { FieldSpec } from '../../plugins/parameters.js';
import { PluginRegistry, type LoadedPlugin } from '../../plugins/registry.js';
import { ExitCode } from '../exit-codes.js';
import type { TaskContext } from '../task-context.js';

/** What `plugins --json` prints for each plugin. */
export interface PluginListing {
  kind: LoadedPlugin['kind'];
  type: string;
  /** The descriptor file, or "(built-in)". */
  source: string;
  description?: string;
  fields: Record<string, FieldSpec & { required: boolean }>;
  /** Coopr's alternatives: at least one set complete. */
  required: string[][];
}

/**
 * Every registered plugin: the built-ins, then the config's plugin dirs in order
 * (`plugins.dirs`, then loomCluster's `pluginDirs`). A plugin that does not load
 * fails the task with the descriptor named (exit 2), as a run would.
 */
export async function plugins({ args, io, config: loadConfig }: TaskContext): Promise<number> {
  const config = await loadConfig();
  const registry = new PluginRegistry();
  registerBuiltinPlugins(registry);
  await registry.load(config?.pluginDirs ?? []);
  const listing = registry.list().map(listingOf);
  if (args.json) {
    io.out(JSON.stringify({ dirs: config?.pluginDirs ?? [], plugins: listing }, null, 2));
    return ExitCode.Ok;
  }
  io.out(formatListing(listing, config?.pluginDirs ?? []));
  return ExitCode.Ok;
}

function listingOf(plugin: LoadedPlugin): PluginListing {
  const alwaysNeeded = new Set(plugin.parameters.required.length === 1 ? plugin.parameters.required[0] : []);
  const fields = Object.fromEntries(
    Object.entries(plugin.parameters.fields).map(([name, spec]) => [name, { ...spec, required: alwaysNeeded.has(name) }]),
  );
  return {
    kind: plugin.kind,
    type: plugin.name,
    source: plugin.descriptorFile,
    ...(plugin.description ? { description: plugin.description } : {}),
    fields,
    required: plugin.parameters.required,
  };
}

function formatListing(listing: readonly PluginListing[], dirs: readonly string[]): string {
  const lines: string[] = [];
  const width = Math.max(...listing.map((p) => p.type.length), 4);
  for (const p of listing) {
    lines.push(`${p.kind.padEnd(9)}  ${p.type.padEnd(width)}  ${p.source}${p.description ? `  — ${p.description}` : ''}`);
    for (const [name, f] of Object.entries(p.fields)) lines.push(`    ${name}: ${describeField(f)}`);
    if (p.required.length > 1) lines.push(`    required: one of ${p.required.map((set) => set.join(' + ')).join(' | ')}`);
  }
  const from =
    dirs.length > 0 ? `plugin dirs: ${dirs.join(', ')}` : 'no plugin dirs configured (config `plugins.dirs` or loomCluster `pluginDirs`)';
  return `${lines.join('\n')}\n\n${listing.length} plugin(s); ${from}\n`;
}

function describeField(f: FieldSpec & { required: boolean }): string {
  const parts: string[] = [f.type];
  if (f.type === 'password') parts.push('given by reference: { env } or { file }');
  if (f.options) parts.push(`one of ${f.options.join('|')}`);
  if (f.default !== undefined) parts.push(`default ${JSON.stringify(f.default)}`);
  if (f.required) parts.push('required');
  parts.push(f.scope);
  const label = [f.label, f.tip].filter(Boolean).join(' — ');
  return `${parts.join(', ')}${label ? `  (${label})` : ''}`;
}

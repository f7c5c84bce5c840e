import type { GroupSpec } from '../scheduler/options.js';
import { dependencyClosure } from '../scheduler/graph.js';
import type { ResolvedConfig } from './load.js';

/** The config's groups that `targets` need: the targets and what they depend on, transitively. */
export function selectGroups(config: ResolvedConfig, targets: readonly string[]): GroupSpec[] {
  const byName = new Map(config.groups.map((g) => [g.name, g]));
  const wanted = dependencyClosure(targets, (name) => byName.get(name)?.dependsOn ?? []);
  return config.groups.filter((g) => wanted.has(g.name));
}

import { toMermaid } from '../../scheduler/graph.js';
import { readStateFile } from '../../state/file-store.js';
import { ExitCode } from '../exit-codes.js';
import type { TaskContext } from '../task-context.js';

export async function graph({ io, config: loadConfig, stateFile }: TaskContext): Promise<number> {
  const config = await loadConfig();
  const nodes = new Map<string, readonly string[]>((config?.groups ?? []).map((g) => [g.name, g.dependsOn ?? []]));
  const state = await readStateFile(stateFile(config));
  for (const g of Object.values(state?.groups ?? {})) if (!nodes.has(g.name)) nodes.set(g.name, g.dependsOn);
  io.out(toMermaid([...nodes].map(([name, dependsOn]) => ({ name, dependsOn }))));
  return ExitCode.Ok;
}

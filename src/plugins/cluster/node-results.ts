// A node's accumulated task results: what every group of a loomCluster returns,
// so they reach later tasks through the ordinary group outputs (ctx.dependencies).
import { isDeepStrictEqual } from 'node:util';
import type { NodeEntry } from '../task.js';

export interface NodeResults {
  /** The node these results belong to (marks the value as a node's results). */
  loomNode: string;
  hostname: string;
  /** Successful tasks only, by task id; `order` is the task's place in Loom's order (later wins). */
  tasks: Record<string, { order: number; result: Record<string, unknown> }>;
}

export function isNodeResults(value: unknown): value is NodeResults {
  return typeof value === 'object' && value !== null && typeof (value as NodeResults).loomNode === 'string';
}

/** The union of every value among `sources` that holds results of `nodeId` (the same task id carries the same result). */
export function mergeNodeResults(nodeId: string, hostname: string, sources: readonly unknown[]): NodeResults {
  const merged: NodeResults = { loomNode: nodeId, hostname, tasks: {} };
  for (const source of sources) {
    if (!isNodeResults(source) || source.loomNode !== nodeId) continue;
    Object.assign(merged.tasks, structuredClone(source.tasks));
  }
  return merged;
}

/** Tasks in Loom's order (then by id, so the order is total). */
export function orderedTasks(results: NodeResults): [string, Record<string, unknown>][] {
  return Object.entries(results.tasks)
    .sort(([a, x], [b, y]) => x.order - y.order || a.localeCompare(b))
    .map(([id, t]) => [id, t.result]);
}

/** Loom's flat view: every result key in order, a later value for a key winning. */
export function flatResults(results: NodeResults): Record<string, unknown> {
  const flat: Record<string, unknown> = {};
  for (const [, result] of orderedTasks(results)) Object.assign(flat, result);
  return flat;
}

/** Results namespaced by task id (`task.results`). */
export function namespacedResults(results: NodeResults): Record<string, Record<string, unknown>> {
  return Object.fromEntries(orderedTasks(results));
}

/** Keys of `result` that change a value an earlier task set, with the task that set it (for the warning). */
export function changedKeys(results: NodeResults, result: Record<string, unknown>): { key: string; setBy: string }[] {
  const setBy = new Map<string, { task: string; value: unknown }>();
  for (const [task, r] of orderedTasks(results)) for (const [key, value] of Object.entries(r)) setBy.set(key, { task, value });
  return Object.entries(result).flatMap(([key, value]) => {
    const earlier = setBy.get(key);
    return earlier && !isDeepStrictEqual(earlier.value, value) ? [{ key, setBy: earlier.task }] : [];
  });
}

export function withResult(results: NodeResults, taskId: string, order: number, result: Record<string, unknown>): NodeResults {
  return { ...results, tasks: { ...results.tasks, [taskId]: { order, result: structuredClone(result) } } };
}

/** `task.nodes`: each node's hostname, address (its flat `ipaddress`) and services, from every node group's output. */
export function nodesMap(
  layout: Record<string, { hostname: string; services: string[] }>,
  outputs: readonly unknown[],
): Record<string, NodeEntry> {
  const nodes: Record<string, NodeEntry> = {};
  for (const [id, node] of Object.entries(layout)) {
    const results = mergeNodeResults(id, node.hostname, outputs);
    const address = flatResults(results).ipaddress;
    nodes[id] = { hostname: node.hostname, ipaddress: typeof address === 'string' ? address : '', services: [...node.services] };
  }
  return nodes;
}

import { GraphError } from '../errors.js';

export interface GraphNode {
  name: string;
  dependsOn: readonly string[];
}

/**
 * Check that every dependency is known, no group depends on itself, and there
 * is no cycle. `known` are groups outside `nodes` that may be depended on.
 */
export function validateGraph(nodes: readonly GraphNode[], known: Iterable<string> = []): void {
  const all = new Map<string, readonly string[]>();
  for (const name of known) all.set(name, []);
  for (const node of nodes) all.set(node.name, node.dependsOn);
  for (const node of nodes) {
    for (const dep of node.dependsOn) {
      if (dep === node.name)
        throw new GraphError(`Group "${node.name}" depends on itself; remove "${dep}" from its dependsOn.`, [dep, dep]);
      if (!all.has(dep)) {
        throw new GraphError(
          `Group "${node.name}" depends on unknown group "${dep}"; known groups: ${[...all.keys()].join(', ') || '(none)'}.`,
        );
      }
    }
  }
  const cycle = findCycle(all);
  if (cycle) throw new GraphError(`Dependency cycle: ${cycle.join(' -> ')}. Remove one of these dependencies.`, cycle);
}

/** A cycle as a closed path (first name repeated at the end), or undefined. */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const done = new Set<string>();
  const onPath = new Map<string, number>();
  const path: string[] = [];
  // Iterative DFS: deep chains of groups must not overflow the stack.
  for (const root of graph.keys()) {
    if (done.has(root)) continue;
    const stack: Array<{ name: string; next: number }> = [{ name: root, next: 0 }];
    onPath.set(root, 0);
    path.push(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const deps = graph.get(top.name) ?? [];
      if (top.next < deps.length) {
        const dep = deps[top.next++]!;
        if (done.has(dep)) continue;
        const at = onPath.get(dep);
        if (at !== undefined) return [...path.slice(at), dep];
        onPath.set(dep, path.length);
        path.push(dep);
        stack.push({ name: dep, next: 0 });
      } else {
        stack.pop();
        path.pop();
        onPath.delete(top.name);
        done.add(top.name);
      }
    }
  }
  return undefined;
}

/** `names` and everything they depend on, transitively. */
export function dependencyClosure(names: Iterable<string>, dependsOn: (name: string) => readonly string[]): Set<string> {
  return reach(names, dependsOn);
}

/** `names` and everything that depends on them, transitively. */
export function dependentClosure(names: Iterable<string>, nodes: readonly GraphNode[]): Set<string> {
  const dependents = reverseEdges(nodes);
  return reach(names, (n) => dependents.get(n) ?? []);
}

/**
 * `names` ordered so that each comes after those of its dependencies that are among
 * them (dependencies first); ties keep the given order. Iterative: chains may be deep.
 * A cycle (refused before scheduling) cannot loop it: a name on the current path is skipped.
 */
export function topologicalOrder(names: Iterable<string>, dependsOn: (name: string) => readonly string[]): string[] {
  const wanted = new Set(names);
  const placed = new Set<string>();
  const onPath = new Set<string>();
  const order: string[] = [];
  for (const root of wanted) {
    if (placed.has(root)) continue;
    const stack: Array<{ name: string; next: number }> = [{ name: root, next: 0 }];
    onPath.add(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const dep = dependsOn(top.name)[top.next++];
      if (dep === undefined) {
        placed.add(top.name);
        onPath.delete(top.name);
        order.push(top.name);
        stack.pop();
      } else if (wanted.has(dep) && !placed.has(dep) && !onPath.has(dep)) {
        onPath.add(dep);
        stack.push({ name: dep, next: 0 });
      }
    }
  }
  return order;
}

export function reverseEdges(nodes: readonly GraphNode[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const node of nodes) {
    for (const dep of node.dependsOn) {
      let list = out.get(dep);
      if (!list) out.set(dep, (list = []));
      list.push(node.name);
    }
  }
  return out;
}

function reach(start: Iterable<string>, next: (name: string) => readonly string[]): Set<string> {
  const seen = new Set<string>();
  const todo = [...start];
  while (todo.length > 0) {
    const name = todo.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    todo.push(...next(name));
  }
  return seen;
}

/** Mermaid flowchart text: an edge from each dependency to its dependent. */
export function toMermaid(nodes: readonly GraphNode[]): string {
  const lines = ['graph TD'];
  const id = (name: string) => `  ${name.replace(/[^\w]/g, '_')}["${name}"]`;
  for (const node of nodes) {
    if (node.dependsOn.length === 0) lines.push(id(node.name));
    for (const dep of node.dependsOn) lines.push(`${id(dep)} --> ${id(node.name).trim()}`);
  }
  return `${lines.join('\n')}\n`;
}

import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../../errors.js';

/** A service's action for one task: the automator type (default: the service's), the script and its data. */
export interface ActionSpec {
  type?: string;
  script?: string;
  data?: string;
}

/** Loom's service actions, by the name a spec uses (`initialize` is the INITIALIZE task, the automator's init()). */
export const ACTION_NAMES = ['install', 'configure', 'initialize', 'start', 'stop', 'remove'] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

export interface ServiceSpec {
  /** The automator type that runs this service's actions (e.g. "shell"). */
  automator: string;
  /** Services whose groups (on every node that has them) must be up before this one's. */
  dependsOn?: string[];
  /** Wait for every node to be confirmed, and get `task.nodes` (the cluster's layout). Default false. */
  needsNodes?: boolean;
  /** Field values for this service's automator (over the cluster-level `automators[type].fields`). */
  fields?: Record<string, unknown>;
  actions: Partial<Record<ActionName, ActionSpec>>;
}

export interface ProviderSpec {
  type: string;
  fields?: Record<string, unknown>;
}

export interface NodeSpec {
  services: string[];
  /** Default: the node id. */
  hostname?: string;
  /** This node's own provider (default: the cluster's). */
  provider?: ProviderSpec;
}

export interface LoomClusterSpec {
  /** Plugin dirs, scanned in order after the built-ins; relative ones against `baseDir`. */
  pluginDirs?: string[];
  /** Where relative `pluginDirs` are resolved (default: the working directory). */
  baseDir?: string;
  provider: ProviderSpec;
  /** Cluster-level field values per automator type (e.g. `{ shell: { fields: { scriptsDir } } }`). */
  automators?: Record<string, { fields?: Record<string, unknown> }>;
  services: Record<string, ServiceSpec>;
  nodes: Record<string, NodeSpec>;
}

// Node ids have no ".", so a node group can never be named like a service group (`db.node1`).
const ID = /^[A-Za-z][\w-]*$/;
const TYPE = /^[A-Za-z][\w.-]*$/;

/** Checks the spec at the config boundary; messages name the field and the value. Returns absolute plugin dirs. */
export function checkSpec(spec: LoomClusterSpec): { pluginDirs: string[] } {
  const fail = (field: string, message: string): never => {
    throw new ConfigError(`loomCluster: \`${field}\` ${message}`);
  };
  if (typeof spec !== 'object' || spec === null) fail('spec', `must be an object, got ${JSON.stringify(spec)}.`);
  checkProvider(spec.provider, 'provider', fail);
  if (typeof spec.services !== 'object' || spec.services === null)
    fail('services', `must be an object of services, got ${JSON.stringify(spec.services)}.`);
  if (typeof spec.nodes !== 'object' || spec.nodes === null || Object.keys(spec.nodes).length === 0)
    fail('nodes', `must name at least one node, got ${JSON.stringify(spec.nodes)}.`);
  for (const [name, service] of Object.entries(spec.services)) {
    const at = `services.${name}`;
    if (!ID.test(name)) fail(at, 'must be named with a letter, then letters, digits, "_" or "-" (no ".").');
    if (typeof service?.automator !== 'string' || !TYPE.test(service.automator))
      fail(`${at}.automator`, `must be an automator type like "shell", got ${JSON.stringify(service?.automator)}.`);
    for (const dep of service.dependsOn ?? [])
      if (!(dep in spec.services))
        fail(`${at}.dependsOn`, `names "${dep}", which is not a service; known: ${Object.keys(spec.services).join(', ')}.`);
    if (typeof service.actions !== 'object' || service.actions === null) fail(`${at}.actions`, 'must be an object of actions.');
    for (const [action, value] of Object.entries(service.actions)) {
      if (!(ACTION_NAMES as readonly string[]).includes(action))
        fail(`${at}.actions.${action}`, `is not an action; use one of ${ACTION_NAMES.join(', ')}.`);
      for (const key of ['type', 'script', 'data'] as const)
        if (value?.[key] !== undefined && typeof value[key] !== 'string')
          fail(`${at}.actions.${action}.${key}`, `must be a string, got ${JSON.stringify(value[key])}.`);
    }
  }
  for (const [id, node] of Object.entries(spec.nodes)) {
    const at = `nodes.${id}`;
    if (!ID.test(id)) fail(at, 'must be named with a letter, then letters, digits, "_" or "-" (no ".").');
    if (!Array.isArray(node?.services)) fail(`${at}.services`, `must be an array of service names, got ${JSON.stringify(node?.services)}.`);
    for (const s of node.services) if (!(s in spec.services)) fail(`${at}.services`, `names "${s}", which is not in \`services\`.`);
    if (node.provider !== undefined) checkProvider(node.provider, `${at}.provider`, fail);
  }
  const base = spec.baseDir ?? process.cwd();
  return { pluginDirs: (spec.pluginDirs ?? []).map((d) => (isAbsolute(d) ? d : resolve(base, d))) };
}

function checkProvider(provider: ProviderSpec | undefined, field: string, fail: (field: string, message: string) => never): void {
  if (typeof provider?.type !== 'string' || !TYPE.test(provider.type))
    fail(`${field}.type`, `must be a provider type like "netns", got ${JSON.stringify(provider?.type)}.`);
}

/** Services in dependency order (dependencies first); a cycle is refused, naming it. */
export function serviceOrder(services: Record<string, ServiceSpec>): string[] {
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting')
      throw new ConfigError(`loomCluster: services depend on each other in a cycle: ${[...path, name].join(' → ')}.`);
    state.set(name, 'visiting');
    for (const dep of services[name]!.dependsOn ?? []) visit(dep, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of Object.keys(services)) visit(name, []);
  return order;
}

// What a plugin receives and gives back: the shapes shared by class and executable plugins.

/** Loom's task names; each is dispatched to one method of a Provider or an Automator. */
export const TaskName = {
  Create: 'CREATE',
  Confirm: 'CONFIRM',
  Delete: 'DELETE',
  Bootstrap: 'BOOTSTRAP',
  Install: 'INSTALL',
  Configure: 'CONFIGURE',
  Initialize: 'INITIALIZE',
  Start: 'START',
  Stop: 'STOP',
  Remove: 'REMOVE',
} as const;
export type TaskName = (typeof TaskName)[keyof typeof TaskName];

export const PROVIDER_TASKS: readonly TaskName[] = [TaskName.Create, TaskName.Confirm, TaskName.Delete];
export const AUTOMATOR_TASKS: readonly TaskName[] = [
  TaskName.Bootstrap,
  TaskName.Install,
  TaskName.Configure,
  TaskName.Initialize,
  TaskName.Start,
  TaskName.Stop,
  TaskName.Remove,
];

export interface NodeEntry {
  hostname: string;
  ipaddress: string;
  services: string[];
}

export interface PluginTask {
  /** e.g. "node1:INSTALL:db" */
  taskId: string;
  taskName: TaskName;
  /** The state id. */
  clusterId: string;
  nodeId: string;
  hostname: string;
  /** Loom's flat view: the plugin's fields + every earlier successful task's result keys of this node (later wins). */
  config: Record<string, unknown>;
  /** The same results namespaced by task id, so keys never collide silently. */
  results: Record<string, Record<string, unknown>>;
  /** Every node of the cluster, once all are confirmed. */
  nodes?: Record<string, NodeEntry>;
  provider?: { type: string };
  service?: { name: string; action: { type: string; script?: string; data?: string } };
  /**
   * Field values, checked against the plugin's parameters (see resolveFields). A password field holds
   * a reference (`{ env }` / `{ file }`) here; the plugin sees the secret only while its task runs.
   */
  fields: Record<string, unknown>;
}

export interface PluginResult {
  /** 0 = success, anything else = failure. */
  status: number;
  /** Key/values handed to later tasks of the node. */
  result: Record<string, unknown>;
  stdout: string;
  stderr: string;
}

/** How an automator reaches its node: from the provider's `ssh-auth` result plus the node's `ipaddress`. */
export interface SshAuth {
  user: string;
  /** A key *name* (see KeyStore), never key text. */
  keyName?: string;
  ipaddress: string;
  port?: number;
  /** The pinned host key (`ssh-ed25519 AAAA…`), when the provider reported one. */
  hostKey?: string;
}

export function emptyResult(): PluginResult {
  return { status: 0, result: {}, stdout: '', stderr: '' };
}

import type { GroupConfig } from '../../config/define.js';
import { tagPluginDirs } from '../config-dirs.js';
import { TaskName } from '../task.js';
import { PluginTaskStep, type PluginTaskStepOptions, type StepTask } from './plugin-task-step.js';
import { checkSpec, serviceOrder, type ActionName, type LoomClusterSpec, type ServiceSpec } from './spec.js';

/** The startup actions in Loom's order, and the task each one is. */
const STARTUP: readonly [ActionName, TaskName][] = [
  ['install', TaskName.Install],
  ['configure', TaskName.Configure],
  ['initialize', TaskName.Initialize],
  ['start', TaskName.Start],
];

/** The group of service `service` on node `node`. */
export function serviceGroup(service: string, node: string): string {
  return `${service}.${node}`;
}

/**
 * Turn a Loom-style cluster spec into ordinary Groundwork groups:
 * - one group per node (named after it): CREATE → CONFIRM → BOOTSTRAP (one per automator its services use);
 * - one group per service per node (`db.node1`): its declared actions INSTALL → CONFIGURE → INITIALIZE → START,
 *   depending on its node's group and on every group of the services it dependsOn (and, with `needsNodes`,
 *   on every node group: those tasks get `task.nodes`). No stage barrier: nothing else waits.
 * Teardown runs each service group's STOP then REMOVE (dependents first), then each node's DELETE.
 */
export function loomCluster(spec: LoomClusterSpec): Record<string, GroupConfig> {
  const { pluginDirs } = checkSpec(spec);
  const nodeIds = Object.keys(spec.nodes);
  const layout = Object.fromEntries(
    nodeIds.map((id) => [id, { hostname: spec.nodes[id]!.hostname ?? id, services: [...spec.nodes[id]!.services] }]),
  );
  const order = serviceOrder(spec.services);
  const groups: Record<string, GroupConfig> = {};

  for (const id of nodeIds) {
    const node = spec.nodes[id]!;
    const hostname = layout[id]!.hostname;
    const provider = node.provider ?? spec.provider;
    const providerTask = (taskName: TaskName): StepTask => ({
      taskName,
      kind: 'provider',
      type: provider.type,
      fields: { ...(provider.fields ?? {}) },
    });
    const automators = [...new Set(node.services.map((s) => spec.services[s]!.automator))].sort();
    groups[id] = {
      provisioners: () => [
        new PluginTaskStep({
          nodeId: id,
          hostname,
          pluginDirs,
          order: 0,
          task: providerTask(TaskName.Create),
          shutdownTasks: [providerTask(TaskName.Delete)],
        }),
        new PluginTaskStep({ nodeId: id, hostname, pluginDirs, order: 1, task: providerTask(TaskName.Confirm) }),
        ...automators.map(
          (type, i) =>
            new PluginTaskStep({
              nodeId: id,
              hostname,
              pluginDirs,
              order: 2 + i,
              task: { taskName: TaskName.Bootstrap, kind: 'automator', type, fields: automatorFields(spec, type) },
              // The built-in shell automator removes what BOOTSTRAP copied (Loom has no such task; other automators get none).
              ...(type === 'shell'
                ? { shutdownTasks: [{ taskName: TaskName.Remove, kind: 'automator' as const, type, fields: automatorFields(spec, type) }] }
                : {}),
            }),
        ),
      ],
    };
  }

  for (const name of order) {
    const service = spec.services[name]!;
    const hosts = nodeIds.filter((id) => spec.nodes[id]!.services.includes(name));
    for (const id of hosts) {
      const dependsOn = new Set<string>([id]);
      for (const dep of service.dependsOn ?? [])
        for (const host of nodeIds.filter((n) => spec.nodes[n]!.services.includes(dep))) dependsOn.add(serviceGroup(dep, host));
      if (service.needsNodes) for (const n of nodeIds) dependsOn.add(n);
      const base = { nodeId: id, hostname: layout[id]!.hostname, pluginDirs, ...(service.needsNodes ? { layout } : {}) };
      const rank = 100 + order.indexOf(name) * 10;
      groups[serviceGroup(name, id)] = {
        dependsOn: [...dependsOn],
        provisioners: () => serviceSteps(spec, name, service, base, rank),
      };
    }
  }
  return tagPluginDirs(groups, pluginDirs);
}

function serviceSteps(
  spec: LoomClusterSpec,
  name: string,
  service: ServiceSpec,
  base: Omit<PluginTaskStepOptions, 'order' | 'task' | 'shutdownTasks'>,
  rank: number,
): PluginTaskStep[] {
  const task = (action: ActionName, taskName: TaskName): StepTask | undefined => {
    const a = service.actions[action];
    if (!a) return undefined;
    const type = a.type ?? service.automator;
    const fields = { ...automatorFields(spec, type), ...(service.fields ?? {}) };
    const act = { type, ...(a.script !== undefined ? { script: a.script } : {}), ...(a.data !== undefined ? { data: a.data } : {}) };
    return { taskName, kind: 'automator', type, fields, service: { name, action: act } };
  };
  const startup = STARTUP.flatMap(([action, taskName], i) => {
    const t = task(action, taskName);
    return t ? [{ t, order: rank + i }] : [];
  });
  const stop = task('stop', TaskName.Stop);
  const remove = task('remove', TaskName.Remove);
  // Shutdown goes last step first: STOP on the last step, REMOVE on the first; one step does both, in that order.
  if (startup.length === 0) return [new PluginTaskStep({ ...base, order: rank, shutdownTasks: [stop, remove].filter(isTask) })];
  return startup.map(({ t, order }, i) => {
    const last = i === startup.length - 1;
    const first = i === 0;
    const undo = [last ? stop : undefined, first ? remove : undefined].filter(isTask);
    return new PluginTaskStep({ ...base, order, task: t, shutdownTasks: undo });
  });
}

function automatorFields(spec: LoomClusterSpec, type: string): Record<string, unknown> {
  return { ...(spec.automators?.[type]?.fields ?? {}) };
}

function isTask(t: StepTask | undefined): t is StepTask {
  return t !== undefined;
}

export { loomCluster, serviceGroup } from './loom-cluster.js';
export { PluginTaskStep, taskIdOf, type PluginTaskStepOptions, type StepTask } from './plugin-task-step.js';
export type { LoomClusterSpec, ServiceSpec, NodeSpec, ProviderSpec, ActionSpec, ActionName } from './spec.js';
export type { NodeResults } from './node-results.js';
export type { TaskRun } from './task-run.js';

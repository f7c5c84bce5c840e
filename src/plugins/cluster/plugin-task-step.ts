import { join } from 'node:path';
import { PluginTaskError } from '../../errors.js';
import type { Provisioner, ProvisionerContext } from '../../provisioners/contract.js';
import { registerBuiltinPlugins } from '../builtin/index.js';
import { resolveFields } from '../fields.js';
import { PluginRegistry, type PluginKind } from '../registry.js';
import type { NodeEntry, PluginResult, PluginTask, TaskName } from '../task.js';
import { changedKeys, flatResults, mergeNodeResults, namespacedResults, nodesMap, withResult, type NodeResults } from './node-results.js';
import { runReport, taskRun, type TaskRun } from './task-run.js';

/** One plugin task as a step holds it (plain data: it is snapshotted). */
export interface StepTask {
  taskName: TaskName;
  kind: PluginKind;
  /** The plugin type: the provider's, or the action's automator. */
  type: string;
  /** Field values as given (password fields as references, never their text). */
  fields: Record<string, unknown>;
  service?: { name: string; action: { type: string; script?: string; data?: string } };
}

export interface PluginTaskStepOptions {
  nodeId: string;
  hostname: string;
  pluginDirs: string[];
  /** The task its startup runs; none for a service that declares only stop/remove. */
  task?: StepTask;
  /** Tasks its shutdown runs, in order (DELETE; STOP, REMOVE). */
  shutdownTasks?: StepTask[];
  /** The startup task's place in the node's order of tasks (a later result wins a key). */
  order: number;
  /** Every node's hostname and services, when this task gets `task.nodes` (its group depends on every node group). */
  layout?: Record<string, { hostname: string; services: string[] }>;
}

export function taskIdOf(nodeId: string, task: StepTask): string {
  if (task.service) return `${nodeId}:${task.taskName}:${task.service.name}`;
  return task.kind === 'automator' ? `${nodeId}:${task.taskName}:${task.type}` : `${nodeId}:${task.taskName}`;
}

/**
 * A step of a loomCluster group: runs one plugin task at startup (and its undo tasks at
 * shutdown), with the node's accumulated results from its input and ctx.dependencies,
 * and returns them with its own result added. Output is kept (tail) for status.
 */
export class PluginTaskStep implements Provisioner<unknown, NodeResults> {
  name = '';
  nodeId: string;
  hostname: string;
  pluginDirs: string[];
  task: StepTask | undefined;
  shutdownTasks: StepTask[];
  order: number;
  layout: Record<string, { hostname: string; services: string[] }> | undefined;
  /** The node's results this step started from (so a shutdown works from the snapshot alone). */
  inputs: NodeResults | undefined;
  nodes: Record<string, NodeEntry> | undefined;
  /** The startup task's partial result, checkpointed by the plugin; handed back to it in `task.config` on a rerun. */
  checkpointed: Record<string, unknown> | undefined;
  /** Every task this step ran (startup and shutdown), the latest run of each. */
  runs: TaskRun[] = [];

  constructor(options: PluginTaskStepOptions) {
    this.nodeId = options.nodeId;
    this.hostname = options.hostname;
    this.pluginDirs = [...options.pluginDirs];
    this.task = options.task;
    this.shutdownTasks = options.shutdownTasks ?? [];
    this.order = options.order;
    this.layout = options.layout;
  }

  async startup(input: unknown, ctx: ProvisionerContext): Promise<NodeResults> {
    const base = mergeNodeResults(this.nodeId, this.hostname, [input, ...Object.values(ctx.dependencies)]);
    this.inputs = base;
    if (this.layout) this.nodes = nodesMap(this.layout, Object.values(ctx.dependencies));
    if (!this.task) return base;
    const id = taskIdOf(this.nodeId, this.task);
    const result = await this.run(this.task, base, ctx, true);
    for (const { key, setBy } of changedKeys(base, result.result)) {
      ctx.logger.warn(
        `${id} sets result key "${key}", replacing the value ${setBy} set; later tasks see the new one in task.config (both in task.results).`,
      );
    }
    this.checkpointed = undefined;
    return withResult(base, id, this.order, result.result);
  }

  async shutdown(ctx: ProvisionerContext): Promise<boolean> {
    if (this.shutdownTasks.length === 0) return true;
    let base = this.inputs ?? mergeNodeResults(this.nodeId, this.hostname, Object.values(ctx.dependencies));
    // Its own undo needs what it made, even when it failed or was cut short (a checkpointed provider id).
    const own = this.task && (this.checkpointed ?? this.runs.find((r) => r.taskId === taskIdOf(this.nodeId, this.task!))?.result);
    if (this.task && own) base = withResult(base, taskIdOf(this.nodeId, this.task), this.order, own);
    for (const task of this.shutdownTasks) {
      await this.run(task, base, ctx, false);
      await ctx.checkpoint();
    }
    return true;
  }

  /** Why-run (`provision --dry-run`): the task it would run; no plugin is loaded or run. */
  async plan(ctx: ProvisionerContext): Promise<void> {
    if (this.task)
      await ctx.actions.performAction(`run ${taskIdOf(this.nodeId, this.task)} through ${describe(this.task)}`, () => undefined);
  }

  report(): string[] {
    const lines = this.runs.flatMap(runReport);
    const ran = new Set(this.runs.map((r) => r.taskId));
    for (const task of this.task ? [this.task] : []) {
      const id = taskIdOf(this.nodeId, task);
      if (!ran.has(id)) lines.unshift(`${id} via ${describe(task)}: not run yet`);
    }
    return lines.length ? lines : [`node ${this.nodeId}: no task at startup`];
  }

  private async run(task: StepTask, base: NodeResults, ctx: ProvisionerContext, isStartup: boolean): Promise<PluginResult> {
    const registry = new PluginRegistry();
    registerBuiltinPlugins(registry, { drivers: ctx.drivers, dataDir: ctx.dataDir, stateId: ctx.stateId, actions: ctx.actions });
    await registry.load(this.pluginDirs);
    const plugin = task.kind === 'provider' ? registry.provider(task.type) : registry.automator(task.type);
    // Checked against the plugin's parameters (defaults applied); password fields stay references.
    const fields = resolveFields(plugin.parameters, task.fields, plugin);
    const id = taskIdOf(this.nodeId, task);
    const partial = isStartup ? this.checkpointed : undefined;
    const pluginTask: PluginTask = {
      taskId: id,
      taskName: task.taskName,
      clusterId: ctx.stateId,
      nodeId: this.nodeId,
      hostname: this.hostname,
      config: { ...fields, ...flatResults(base), ...(partial ?? {}) },
      results: namespacedResults(base),
      ...(this.nodes ? { nodes: this.nodes } : {}),
      ...(task.kind === 'provider' ? { provider: { type: task.type } } : {}),
      ...(task.service ? { service: task.service } : {}),
      fields,
    };
    const label = describe(task);
    const result = await plugin.run(pluginTask, {
      logger: ctx.logger,
      signal: ctx.signal,
      secrets: { keyPaths: [join(ctx.dataDir, 'keys')] },
      checkpoint: async (p) => {
        if (isStartup) this.checkpointed = { ...(this.checkpointed ?? {}), ...structuredClone(p.result ?? {}) };
        this.record(taskRun(id, task.taskName, label, p, false));
        await ctx.checkpoint();
      },
    });
    // What an earlier, cut-short run of this task checkpointed is part of its result (a plugin that adopts
    // the machine it made may not return the provider id again).
    if (partial) result.result = { ...partial, ...result.result };
    this.record(taskRun(id, task.taskName, label, result, true));
    if (result.status !== 0) {
      const last = result.stderr
        .split('\n')
        .filter((l) => l.trim() !== '')
        .pop();
      throw new PluginTaskError(
        this.nodeId,
        id,
        label,
        result.status,
        `Task ${id} on node ${this.nodeId} (${label}) failed with status ${result.status}${last ? `: ${last}` : ''}. ` +
          `Its output is in \`groundwork status\`; fix the plugin or its script, then run provision again (it resumes at this task).`,
      );
    }
    return result;
  }

  private record(run: TaskRun): void {
    const i = this.runs.findIndex((r) => r.taskId === run.taskId);
    if (i >= 0) this.runs[i] = run;
    else this.runs.push(run);
  }
}

function describe(task: StepTask): string {
  return `${task.kind} "${task.type}"`;
}

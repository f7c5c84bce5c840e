import { PluginError } from '../errors.js';
import { Automator, CHECKPOINT, Provider, type MethodReturn, type Plugin } from './base.js';
import type { PluginParameters } from './parameters.js';
import type { PluginKind, RunHooks } from './registry.js';
import { failedResult, normalizeResult } from './result.js';
import { sshAuthOf } from './ssh-auth.js';
import { emptyResult, TaskName, type PluginResult, type PluginTask } from './task.js';
import { inputMap, taskView } from './task-view.js';

/** Which method handles which task. */
export const METHOD_OF: Readonly<Record<TaskName, string>> = {
  [TaskName.Create]: 'create',
  [TaskName.Confirm]: 'confirm',
  [TaskName.Delete]: 'delete',
  [TaskName.Bootstrap]: 'bootstrap',
  [TaskName.Install]: 'install',
  [TaskName.Configure]: 'configure',
  [TaskName.Initialize]: 'init',
  [TaskName.Start]: 'start',
  [TaskName.Stop]: 'stop',
  [TaskName.Remove]: 'remove',
};

export interface ClassPluginSource {
  name: string;
  kind: PluginKind;
  descriptorFile: string;
  parameters: PluginParameters;
  Class: new () => Plugin;
}

/** Runs one task on a fresh instance of a class plugin: dispatch on taskName, Loom's result rules. */
export async function runClassPlugin(source: ClassPluginSource, task: PluginTask, hooks: RunHooks): Promise<PluginResult> {
  const method = METHOD_OF[task.taskName];
  const wanted = source.kind === 'provider' ? Provider : Automator;
  if (method === undefined)
    return failedResult(undefined, new PluginError(source.descriptorFile, `Unknown taskName ${JSON.stringify(task.taskName)}.`));
  const view = await taskView(task, source.parameters, source.descriptorFile, hooks);
  const plugin = new source.Class();
  plugin.task = view.task;
  plugin.result = emptyResult();
  plugin.log = view.logger;
  plugin.signal = hooks.signal;
  plugin[CHECKPOINT] = view.checkpoint;
  try {
    if (!(plugin instanceof wanted)) throw new PluginError(source.descriptorFile, `${source.name} is not a ${source.kind}.`);
    const fn = (plugin as unknown as Record<string, (...args: unknown[]) => MethodReturn | Promise<MethodReturn>>)[method];
    if (typeof fn !== 'function') {
      throw new PluginError(source.descriptorFile, `${source.kind} "${source.name}" has no ${method}() for ${task.taskName}.`);
    }
    const returned = await fn.apply(plugin, argsFor(view.task));
    return view.scrub(normalizeResult(plugin.result, returned));
  } catch (error) {
    return view.scrub(failedResult(plugin.result, error));
  }
}

function argsFor(task: PluginTask): unknown[] {
  switch (task.taskName) {
    case TaskName.Create:
    case TaskName.Confirm:
    case TaskName.Delete:
      return [inputMap(task)];
    case TaskName.Bootstrap:
      return [sshAuthOf(task)];
    default:
      return [sshAuthOf(task), task.service?.action.script, task.service?.action.data];
  }
}

import type { Logger } from '../logger.js';
import { redact, redactingLogger, resolveSecrets } from './fields.js';
import type { PluginParameters } from './parameters.js';
import type { RunHooks } from './registry.js';
import type { PluginResult, PluginTask } from './task.js';

/** The task as the plugin sees it while it runs, and how to scrub what it gives back. */
export interface TaskView {
  task: PluginTask;
  logger: Logger;
  /** Removes any resolved secret from a result before it leaves the runner (stored, checkpointed, shown). */
  scrub(result: PluginResult): PluginResult;
  checkpoint(partial: PluginResult): Promise<void>;
}

/**
 * A deep copy of the caller's task with password references resolved (in
 * `fields` and in the flat `config`); the caller's task keeps the references,
 * so what it persists never holds a secret.
 */
export async function taskView(task: PluginTask, parameters: PluginParameters, descriptorFile: string, hooks: RunHooks): Promise<TaskView> {
  const copy = structuredClone(task);
  const { fields, secrets } = await resolveSecrets(parameters, copy.fields, hooks.secrets ?? {}, descriptorFile);
  copy.fields = fields;
  for (const name of Object.keys(parameters.fields)) if (name in fields && name in copy.config) copy.config[name] = fields[name];
  const scrub = (result: PluginResult) => redact(result, secrets);
  return {
    task: copy,
    logger: redactingLogger(hooks.logger, secrets),
    scrub,
    checkpoint: (partial) => hooks.checkpoint(scrub(partial)),
  };
}

/** Loom's inputmap for provider methods: the flat config, the fields, and the node's names. */
export function inputMap(task: PluginTask): Record<string, unknown> {
  return { ...task.config, ...task.fields, hostname: task.hostname, nodeId: task.nodeId, taskName: task.taskName };
}

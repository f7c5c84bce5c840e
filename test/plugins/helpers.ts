import { fileURLToPath } from 'node:url';
import type { Logger } from '../../src/logger.js';
import type { RunHooks } from '../../src/plugins/registry.js';
import type { PluginResult, PluginTask, TaskName } from '../../src/plugins/task.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/plugins/', import.meta.url));

export function task(taskName: TaskName, over: Partial<PluginTask> = {}): PluginTask {
  return {
    taskId: `node1:${taskName}`,
    taskName,
    clusterId: 'state-1',
    nodeId: 'node1',
    hostname: 'node1.test',
    config: {},
    results: {},
    fields: {},
    ...over,
  };
}

export interface Recorded {
  hooks: RunHooks;
  logs: Array<{ level: string; message: string }>;
  checkpoints: PluginResult[];
}

/** Hooks that record what the plugin logged and checkpointed. */
export function recordingHooks(extra: Partial<RunHooks> = {}): Recorded {
  const logs: Recorded['logs'] = [];
  const checkpoints: PluginResult[] = [];
  const logger: Logger = {
    debug: (message) => logs.push({ level: 'debug', message }),
    info: (message) => logs.push({ level: 'info', message }),
    warn: (message) => logs.push({ level: 'warn', message }),
    error: (message) => logs.push({ level: 'error', message }),
  };
  return {
    logs,
    checkpoints,
    hooks: {
      logger,
      signal: new AbortController().signal,
      checkpoint: async (partial) => {
        checkpoints.push(partial);
      },
      ...extra,
    },
  };
}

import { resolve } from 'node:path';
import { DEFAULT_CONFIG_FILE, type ResolvedConfig } from '../config/load.js';
import { describeError } from '../errors.js';
import type { StateData } from '../state/types.js';
import { describeTarget, readTarget, stateTarget, type StateTarget } from './state-target.js';
import type { TaskContext } from './task-context.js';

/**
 * The state for a read-only task (status, output), without the lock. With
 * --state the config is not loaded at all; otherwise a config that fails to
 * load is a warning, not a failure: everything shown is in the state file.
 */
export async function readStateForDisplay(ctx: TaskContext): Promise<{ file: string; data: StateData | undefined }> {
  const { args, io, config } = ctx;
  let loaded: ResolvedConfig | undefined;
  if (!args.state) {
    try {
      loaded = await config();
    } catch (error) {
      const name = resolve(io.cwd, args.config ?? DEFAULT_CONFIG_FILE);
      io.err(`warning: config ${name} could not be loaded (${describeError(error)}); showing ${shown(stateTarget(ctx, undefined))}`);
    }
  }
  const target = stateTarget(ctx, loaded);
  const file = describeTarget(target);
  const data = await readTarget(target);
  // Report lines are recorded in the state; only a state written before they were needs the
  // built-in classes (and what they import) to revive its steps and ask them.
  if (data && Object.values(data.groups).some((g) => g.steps.some((s) => s.report === undefined))) {
    (await import('../builtins.js')).registerBuiltins();
  }
  return { file, data };
}

const shown = (target: StateTarget) => (target.kind === 'file' ? `the state file ${target.file}` : describeTarget(target));

import { resolve } from 'node:path';
import { DEFAULT_CONFIG_FILE, type ResolvedConfig } from '../config/load.js';
import { ConfigError, describeError, type ShutdownFailedError } from '../errors.js';
import { groupStatus } from '../scheduler/status.js';
import { defaultRegistry } from '../serialize/default-registry.js';
import { readStateFile } from '../state/file-store.js';
import type { StateData } from '../state/types.js';
import { readTarget, type StateTarget } from './state-target.js';
import type { TaskContext } from './task-context.js';

/**
 * The config for teardown/deprovision, which work from the state alone. With
 * --state, a config that does not load is a warning (its classes are then not
 * registered, which the shutdown names). Without --state it is an error: the
 * config says which state file to change, and guessing could tear down another.
 */
export async function configForShutdown({ args, io, config }: TaskContext): Promise<ResolvedConfig | undefined> {
  try {
    return await config();
  } catch (error) {
    const name = resolve(io.cwd, args.config ?? DEFAULT_CONFIG_FILE);
    if (!args.state) {
      throw new ConfigError(
        `Config ${name} could not be loaded (${describeError(error)}); fix it, or pass --state FILE to ${args.task} from the state file alone.`,
        { cause: error },
      );
    }
    io.err(
      `warning: config ${name} could not be loaded (${describeError(error)}); going on from the state file ${resolve(io.cwd, args.state)}`,
    );
    return undefined;
  }
}

/** With --force, the state as it was before, to say what a dropped record may have left running. */
export function stateBefore(force: boolean, target: string | StateTarget): Promise<StateData | undefined> {
  if (!force) return Promise.resolve(undefined);
  return typeof target === 'string' ? readStateFile(target) : readTarget(target);
}

/** Lines naming each record dropped with --force whose shutdown failed: group, step, class and its report lines. */
export function leftRunning(failures: readonly ShutdownFailedError[], before: StateData | undefined): string[] {
  if (failures.length === 0) return [];
  const lines = [`These records were dropped without a successful shutdown; what they started may still be running:`];
  for (const f of failures) {
    const record = f.group === undefined ? undefined : before?.groups[f.group];
    const step = record && f.step !== undefined ? groupStatus(record, defaultRegistry()).steps[f.step] : undefined;
    lines.push(`  ${f.group} step ${(f.step ?? 0) + 1} (${step?.provisioner ?? f.provisioner})`);
    for (const r of step?.report ?? []) lines.push(`      ${r}`);
  }
  return lines;
}

import { describeError } from '../../errors.js';
import type { DriverActions } from '../../drivers/driver.js';
import type { DriverRegistry } from '../../drivers/registry.js';
import type { PluginParameters } from '../parameters.js';
import type { LoadedPlugin, PluginKind, RunHooks } from '../registry.js';
import type { PluginResult, PluginTask } from '../task.js';

/** What a built-in plugin needs of the run it is part of (a step's ctx): handed in, never global. */
export interface BuiltinEnv {
  drivers: DriverRegistry;
  /** The state's data folder: keys are looked up in `<dataDir>/keys`. */
  dataDir: string;
  /** The state's id: machines are tagged with it. */
  stateId: string;
  actions: DriverActions;
}

export type BuiltinImpl = (task: PluginTask, hooks: RunHooks, env: BuiltinEnv) => Promise<Partial<PluginResult>>;

/**
 * A built-in as the registry holds it, with the executable/class plugins' semantics:
 * a throw is status 1 with the message in stderr. Without `env` (e.g. `groundwork plugins`
 * listing them) it can be listed but not run.
 */
export function builtinPlugin(
  name: string,
  kind: PluginKind,
  parameters: PluginParameters,
  impl: BuiltinImpl,
  env: BuiltinEnv | undefined,
): Omit<LoadedPlugin, 'descriptorFile'> {
  return {
    name,
    kind,
    description: `built-in ${kind}`,
    parameters,
    run: async (task, hooks) => {
      if (!env) return { status: 1, result: {}, stdout: '', stderr: `built-in ${kind} "${name}" runs only as a step of a Groundwork run` };
      try {
        const r = await impl(task, hooks, env);
        return { status: r.status ?? 0, result: r.result ?? {}, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
      } catch (error) {
        return { status: 1, result: {}, stdout: '', stderr: describeError(error) };
      }
    },
  };
}

/** A field's value as text, or the default. */
export function textField(fields: Record<string, unknown>, name: string, fallback?: string): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null || value === '') return fallback;
  return String(value);
}

export function numberField(fields: Record<string, unknown>, name: string, fallback: number): number {
  const value = Number(fields[name] ?? fallback);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

// The built-in plugins: providers over the drivers, and the shell automator.
import type { PluginRegistry } from '../registry.js';
import { DRIVER_PARAMETERS, runDriverTask, type DriverScheme } from './driver-provider.js';
import { builtinPlugin, type BuiltinEnv } from './env.js';
import { runShellTask, SHELL_PARAMETERS } from './shell-automator.js';

export type { BuiltinEnv } from './env.js';

export const BUILTIN_PROVIDERS: readonly DriverScheme[] = ['netns', 'ssh', 'local'];
export const BUILTIN_AUTOMATORS: readonly string[] = ['shell'];

/**
 * Register the built-in plugins (before any plugin dir is loaded). `env` is the run they
 * serve (a step's ctx); without it they are listed (`groundwork plugins`) but cannot run.
 */
export function registerBuiltinPlugins(registry: PluginRegistry, env?: BuiltinEnv): void {
  for (const scheme of BUILTIN_PROVIDERS) {
    if (registry.has('provider', scheme)) continue;
    registry.registerBuiltin(
      builtinPlugin(scheme, 'provider', DRIVER_PARAMETERS[scheme], (t, h, e) => runDriverTask(scheme, t, h, e), env),
    );
  }
  if (!registry.has('automator', 'shell'))
    registry.registerBuiltin(builtinPlugin('shell', 'automator', SHELL_PARAMETERS, runShellTask, env));
}

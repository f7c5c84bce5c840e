import { registerBuiltins } from '../../builtins.js';
import type { Driver } from '../../drivers/driver.js';
import { defaultDriverRegistry, type DriverRegistry } from '../../drivers/registry.js';
import { ConfigError } from '../../errors.js';
import type { GroupSpec } from '../../scheduler/options.js';
import { ExitCode } from '../exit-codes.js';
import { palette } from '../progress/colour.js';
import type { TaskContext } from '../task-context.js';

/** A provisioner that works through a machine driver (Machines and its kind), found by shape. */
interface UsesDriver {
  driverFor(drivers: DriverRegistry): Driver;
}

/** Each driver the config's groups use, once, with the groups that use it. */
function driversOf(groups: readonly GroupSpec[], registry: DriverRegistry): Map<string, { driver: Driver; groups: string[] }> {
  const found = new Map<string, { driver: Driver; groups: string[] }>();
  for (const g of groups) {
    const provisioners = typeof g.provisioners === 'function' ? g.provisioners() : g.provisioners;
    for (const p of provisioners) {
      if (typeof (p as Partial<UsesDriver>).driverFor !== 'function') continue;
      const driver = (p as unknown as UsesDriver).driverFor(registry);
      const key = `${driver.driverUrl} ${JSON.stringify((p as { driverConfig?: unknown }).driverConfig ?? {})}`;
      const entry = found.get(key) ?? { driver, groups: [] };
      if (!entry.groups.includes(g.name)) entry.groups.push(g.name);
      found.set(key, entry);
    }
  }
  return found;
}

/** `groundwork doctor`: the preflight checks of every driver the config uses, as a provision would run them. */
export async function doctor({ io, config: loadConfig, args }: TaskContext): Promise<number> {
  registerBuiltins(); // the process-wide registries, which the config adds its own classes to
  const config = await loadConfig();
  if (!config)
    throw new ConfigError(`\`doctor\` checks the drivers a config uses: pass --config FILE or run it next to groundwork.config.ts.`);
  const c = palette(io.display?.colour ?? false);
  const drivers = driversOf(config.groups, defaultDriverRegistry());
  if (drivers.size === 0) {
    io.out('No group uses a machine driver; nothing to check.');
    return ExitCode.Ok;
  }
  let failed = 0;
  for (const { driver, groups } of drivers.values()) {
    io.out(`${driver.driverUrl}  ${c.dim(`(used by ${groups.join(', ')})`)}`);
    const checks = (await driver.preflight?.()) ?? [];
    if (checks.length === 0) io.out(`  ${c.green('✔')} nothing needed`);
    for (const check of checks) {
      if (check.ok) io.out(`  ${c.green('✔')} ${check.what}`);
      else {
        failed++;
        io.out(`  ${c.red('✘')} ${check.what}${check.fix ? `\n      fix: ${check.fix}` : ''}`);
      }
    }
  }
  io.out(failed === 0 ? 'All checks passed.' : `${failed} check(s) failed.`);
  if (args.verbose) io.err(`config: ${config.file ?? '(none)'}`);
  return failed === 0 ? ExitCode.Ok : ExitCode.Failed;
}

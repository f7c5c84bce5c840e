import type {} from 'vitest';
import type { GroundworkConfig } from '../config/define.js';
import { loadConfig, resolveConfig, DEFAULT_CONFIG_FILE, type ResolvedConfig } from '../config/load.js';
import { GroupFailedError, TeardownFailedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { selectGroups } from '../config/select.js';
import { Scheduler } from '../scheduler/scheduler.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Final outputs of the groups provisioned by groundworkGlobalSetup, by group name. */
    groundwork: Record<string, unknown>;
  }
}

export interface GlobalSetupOptions {
  /** Config file path or object (default `groundwork.config.ts` in the current folder). */
  config?: string | GroundworkConfig;
  /** Groups the tests need (with their dependencies); default all. */
  groups?: string[];
  /** Override the config's state file. */
  stateFile?: string;
  /**
   * Keep groups between runs for a fast feedback loop: they are not torn down
   * at the end, and the next run reuses what is already provisioned.
   * Default: the GROUNDWORK_KEEP environment variable is `1`.
   */
  keep?: boolean;
  logger?: Logger;
}

interface ProvideTarget {
  provide(key: 'groundwork', value: Record<string, unknown>): void;
}

/**
 * A vitest `globalSetup` function: provisions the groups the tests name,
 * hands their outputs to the tests (`inject('groundwork')`), and tears them
 * down afterwards. vitest skips that teardown on SIGINT/SIGTERM, so groups
 * left in the state by such a run are torn down (or, with `keep`, reused)
 * at the start of the next one.
 */
export function groundworkGlobalSetup(options: GlobalSetupOptions = {}) {
  return async function setup(project: ProvideTarget): Promise<() => Promise<void>> {
    const config = await resolveOptions(options);
    const keep = options.keep ?? process.env.GROUNDWORK_KEEP === '1';
    const targets = options.groups ?? config.groups.map((g) => g.name);
    const open = () =>
      Scheduler.open({
        stateFile: config.stateFile,
        concurrency: config.concurrency,
        ...(options.logger ? { logger: options.logger } : {}),
      });

    const scheduler = await open();
    try {
      if (!keep && scheduler.groups().length > 0) {
        const leftovers = await scheduler.teardown({ force: true });
        if (!leftovers.ok)
          throw new TeardownFailedError('Could not tear down groups left by an earlier run', leftovers.failed, leftovers.kept);
      }
      if (keep) await scheduler.replaceDrifted(selectGroups(config, targets)); // a kept group whose config changed is rebuilt
      await scheduler.scheduleAll(selectGroups(config, targets));
      const summary = await scheduler.run({ groups: targets });
      if (!summary.ok) {
        const bad = summary.groups.find((g) => g.state !== 'provisioned')!;
        if (!keep) await scheduler.teardown({ force: true });
        throw new GroupFailedError(
          `groundworkGlobalSetup: ${summary.groups.map((g) => `${g.group} ${g.state}${g.error ? ` (${g.error})` : ''}`).join('; ')}`,
          bad.group,
        );
      }
      project.provide('groundwork', Object.fromEntries(targets.map((g) => [g, scheduler.output(g)])));
    } finally {
      // Release the lock while the tests run, so they can read or use the state.
      await scheduler.close();
    }

    return async function teardown(): Promise<void> {
      if (keep) return;
      const later = await open();
      try {
        const summary = await later.teardown();
        if (!summary.ok) throw new TeardownFailedError('groundworkGlobalSetup teardown', summary.failed, summary.kept);
      } finally {
        await later.close();
      }
    };
  };
}

async function resolveOptions(options: GlobalSetupOptions): Promise<ResolvedConfig> {
  const config =
    typeof options.config === 'object' ? resolveConfig(options.config) : await loadConfig(options.config ?? DEFAULT_CONFIG_FILE);
  return options.stateFile ? { ...config, stateFile: options.stateFile } : config;
}

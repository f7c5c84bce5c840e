// One bring-up / keep / teardown for every test-runner hook (vitest, Jest, node:test).
import { registerBuiltins } from '../builtins.js';
import type { GroupSpec } from '../scheduler/options.js';
import { loadConfig, resolveConfig, DEFAULT_CONFIG_FILE, type ResolvedConfig } from '../config/load.js';
import { selectGroups } from '../config/select.js';
import { GroupFailedError, TeardownFailedError } from '../errors.js';
import { Scheduler } from '../scheduler/scheduler.js';
import { keepOf, type ClusterOptions } from './options.js';

/** What a bring-up hands the hook: the outputs for the tests and the teardown to run after them. */
export interface BroughtUp {
  outputs: Record<string, unknown>;
  keep: boolean;
  stateFile: string;
  /** Tears the groups down, unless keep. */
  teardown(): Promise<void>;
}

/**
 * Provisions the groups the tests name and returns their outputs. A test runner
 * may skip its teardown (vitest on SIGINT, a killed Jest), so groups left in the
 * state by such a run are torn down first (or, with keep, reused). The state's
 * lock is released before this returns, so the tests can read or use the state.
 * `hook` names the caller in error messages.
 */
export async function bringUpCluster(options: ClusterOptions, hook: string): Promise<BroughtUp> {
  const config = await resolveOptions(options);
  const keep = keepOf(options);
  const targets = options.groups ?? config.groups.map((g) => g.name);
  const signal = options.signal ? { signal: options.signal } : {};

  const scheduler = await openScheduler(config, options);
  let outputs: Record<string, unknown>;
  try {
    await prepareState(scheduler, selectGroups(config, targets), keep, hook);
    const summary = await scheduler.run({ groups: targets, ...signal });
    if (!summary.ok) {
      const bad = summary.groups.find((g) => g.state !== 'provisioned')!;
      if (!keep) await scheduler.teardown({ force: true, ...signal });
      throw new GroupFailedError(
        `${hook}: ${summary.groups.map((g) => `${g.group} ${g.state}${g.error ? ` (${g.error})` : ''}`).join('; ')}`,
        bad.group,
      );
    }
    outputs = Object.fromEntries(targets.map((g) => [g, scheduler.output(g)]));
  } finally {
    await scheduler.close();
  }
  return { outputs, keep, stateFile: config.stateFile, teardown: () => (keep ? Promise.resolve() : tearDownState(config, options, hook)) };
}

/**
 * The teardown of a bring-up made elsewhere (Jest's globalTeardown is its own
 * module): loads the config again, which registers the provisioner classes, then
 * tears everything in the state down, unless keep.
 */
export async function tearDownCluster(options: ClusterOptions, hook: string): Promise<void> {
  if (keepOf(options)) return;
  await tearDownState(await resolveOptions(options), options, hook);
}

async function prepareState(scheduler: Scheduler, specs: GroupSpec[], keep: boolean, hook: string): Promise<void> {
  if (keep) return reuseKept(scheduler, specs);
  if (scheduler.groups().length > 0) {
    const leftovers = await scheduler.teardown({ force: true });
    if (!leftovers.ok)
      throw new TeardownFailedError(`${hook}: could not tear down groups left by an earlier run`, leftovers.failed, leftovers.kept);
  }
  await scheduler.scheduleAll(specs);
}

/**
 * Keep mode: the groups already in the state are reused unless their config changed
 * since or their health check fails (those are replaced first, so the tests never
 * run against a stale or dead setup); the missing ones are scheduled.
 */
async function reuseKept(scheduler: Scheduler, specs: GroupSpec[]): Promise<void> {
  await scheduler.replaceDrifted(specs);
  // Health on reuse: a kept group whose process or machine died is replaced (its `group:unhealthy` event says why).
  await scheduler.repairUnhealthy(specs);
  await scheduler.scheduleAll(specs);
}

async function tearDownState(config: ResolvedConfig, options: ClusterOptions, hook: string): Promise<void> {
  const scheduler = await openScheduler(config, options);
  try {
    const summary = await scheduler.teardown(options.signal ? { signal: options.signal } : {});
    if (!summary.ok) throw new TeardownFailedError(`${hook} teardown`, summary.failed, summary.kept);
  } finally {
    await scheduler.close();
  }
}

function openScheduler(config: ResolvedConfig, options: ClusterOptions): Promise<Scheduler> {
  return Scheduler.open({
    stateFile: config.stateFile,
    concurrency: config.concurrency,
    ...(options.logger ? { logger: options.logger } : {}),
  });
}

async function resolveOptions(options: ClusterOptions): Promise<ResolvedConfig> {
  registerBuiltins(); // the process-wide registries, which the config adds its own classes to
  const config =
    typeof options.config === 'object' ? resolveConfig(options.config) : await loadConfig(options.config ?? DEFAULT_CONFIG_FILE);
  return options.stateFile ? { ...config, stateFile: options.stateFile } : config;
}

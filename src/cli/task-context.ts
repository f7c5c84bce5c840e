import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_CONFIG_FILE, loadConfig, type ResolvedConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { DEFAULT_STATE_FILE } from '../state/file-store.js';
import type { CliArgs } from './args.js';
import type { CliIo } from './io.js';

/** What a task gets: its arguments, where to print, and the config and state file, found once. */
export interface TaskContext {
  args: CliArgs;
  io: CliIo;
  /** The config (--config, else ./groundwork.config.ts if there is one); loaded on first call. */
  config(): Promise<ResolvedConfig | undefined>;
  /** --state, else the config's stateFile, else .groundwork/state.json. */
  stateFile(config: ResolvedConfig | undefined): string;
}

export function taskContext(args: CliArgs, io: CliIo): TaskContext {
  let config: Promise<ResolvedConfig | undefined> | undefined;
  return {
    args,
    io,
    config: () => (config ??= findConfig(args, io.cwd)),
    stateFile: (c) => (args.state ? resolve(io.cwd, args.state) : (c?.stateFile ?? resolve(io.cwd, DEFAULT_STATE_FILE))),
  };
}

async function findConfig(args: CliArgs, cwd: string): Promise<ResolvedConfig | undefined> {
  if (args.config) return loadConfig(resolve(cwd, args.config));
  const fallback = resolve(cwd, DEFAULT_CONFIG_FILE);
  if (existsSync(fallback)) return loadConfig(fallback);
  if (args.task === 'provision') {
    throw new ConfigError(`No ${DEFAULT_CONFIG_FILE} in ${cwd}; create one (see README) or pass --config FILE.`);
  }
  return undefined; // deprovision, teardown and status work from the state alone
}

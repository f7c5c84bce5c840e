import { basename, dirname, join } from 'node:path';
import type { ResolvedConfig } from '../config/load.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../logger.js';
import { JsonFileStore, readStateFile } from '../state/file-store.js';
import { PostgresStore } from '../state/postgres/postgres-store.js';
import { readPostgresState } from '../state/postgres/read.js';
import { redactUrl } from '../state/postgres/redact.js';
import type { StateStore } from '../state/store.js';
import type { StateData } from '../state/types.js';
import type { TaskContext } from './task-context.js';

/** The environment variable that selects the PostgreSQL state when there is no --database. */
export const DATABASE_ENV = 'GROUNDWORK_DATABASE_URL';

/** Where a task's state is: the state file (the default), or a named state in PostgreSQL. */
export type StateTarget =
  | { kind: 'file'; file: string }
  | {
      kind: 'database';
      /** With its password: only ever handed to the store. */
      url: string;
      state: string;
      /** ctx.dataDir on this machine: beside where the state file would be. */
      dataDir: string;
    };

/**
 * --database URL, else --state FILE, else GROUNDWORK_DATABASE_URL, else the
 * config's `database.url`, else the state file. The state's name is the config's
 * `database.state` (default: the config file's folder name; without a config,
 * the current folder's name).
 */
export function stateTarget(ctx: TaskContext, config: ResolvedConfig | undefined, env = process.env): StateTarget {
  const file = ctx.stateFile(config);
  const fromEnv = env[DATABASE_ENV] === '' ? undefined : env[DATABASE_ENV];
  // An explicit --state FILE beats the environment and the config (not --database).
  const url = ctx.args.database ?? (ctx.args.state !== undefined ? undefined : (fromEnv ?? config?.database.url));
  if (url === undefined) return { kind: 'file', file };
  if (!/^postgres(ql)?:\/\//.test(url)) {
    const where = ctx.args.database !== undefined ? '--database' : fromEnv !== undefined ? DATABASE_ENV : 'database.url';
    throw new ConfigError(`Expected ${where} to be a postgres:// URL (postgres://user:password@host:port/database), got another string.`);
  }
  const state = config?.database.state ?? basename(ctx.io.cwd);
  return { kind: 'database', url, state, dataDir: join(dirname(file), 'data') };
}

/** For messages and status: the file, or `state "x" in postgres://user:***@host/db`. */
export function describeTarget(target: StateTarget): string {
  return target.kind === 'file' ? target.file : `state "${target.state}" in ${redactUrl(target.url)}`;
}

export function openTargetStore(target: StateTarget, logger: Logger): StateStore {
  return target.kind === 'file'
    ? new JsonFileStore(target.file, { logger })
    : new PostgresStore({ url: target.url, state: target.state, dataDir: target.dataDir, connection: { logger } });
}

/** The state without its lock (status, output, --force's "before"). */
export function readTarget(target: StateTarget): Promise<StateData | undefined> {
  return target.kind === 'file' ? readStateFile(target.file) : readPostgresState(target.url, target.state);
}

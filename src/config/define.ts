import type { Provisioner } from '../provisioners/contract.js';

export interface GroupConfig {
  /** Groups that must be provisioned before this one starts. */
  dependsOn?: string[];
  /**
   * Makes the group's provisioners: called when the group is not in the state yet, and for a group in
   * the state to check it for drift (see README, "Drift"); so build objects only, with no side effects.
   */
  provisioners: () => Provisioner[];
}

export interface GroundworkConfig {
  /** State file, relative to the config file (default `.groundwork/state.json`). */
  stateFile?: string;
  /** Groups provisioned at once (default 8); 1 runs them one by one. */
  concurrency?: number;
  groups: Record<string, GroupConfig>;
  /**
   * Settings of the drivers `tasks.ts reap` looks in, by URL, e.g.
   * `{ netns: { prefix: 'gw' } }` (default). Machine provisioners carry their own driver settings.
   */
  drivers?: Record<string, Record<string, unknown>>;
  // plugins-model (issue 11)
  /** Loom-style plugin dirs (`<dir>/providers/<name>/<name>.json`, `<dir>/automators/…`), relative to the config file; scanned in order after the built-ins. */
  plugins?: { dirs?: string[] };
  /**
   * Keep the state in PostgreSQL instead of the state file (README "State in PostgreSQL").
   * `url` (postgres://…) is overridden by `--database` and GROUNDWORK_DATABASE_URL; `state` names this
   * config's state in the database (default: the config file's folder name).
   */
  database?: DatabaseConfig;
}

/** See GroundworkConfig.database. */
export interface DatabaseConfig {
  url?: string;
  state?: string;
}

/** Identity function that types a `groundwork.config.ts` default export. */
export function defineConfig(config: GroundworkConfig): GroundworkConfig {
  return config;
}

import type { GroupRecord, StateData } from './types.js';

/**
 * All persistence goes through this narrow interface, so that a store other
 * than the JSON file (PostgreSQL, say) can be added without touching the scheduler.
 * Every method resolves only once the change is durable.
 */
export interface StateStore {
  /** Human-readable location for messages, e.g. the file path. */
  readonly location: string;
  /** Folder where provisioners may keep files (logs, keys); see ProvisionerContext.dataDir. */
  readonly dataDir: string;
  /** Take exclusive ownership and load the state (an empty one if there is none). */
  open(): Promise<StateData>;
  /**
   * Insert or replace these groups in one atomic write. Records are never
   * changed after they are passed in (the ledger replaces, never mutates), so
   * a store may keep them without copying.
   */
  putGroups(records: readonly GroupRecord[]): Promise<void>;
  /**
   * Replace a group of which only the steps at `changedSteps` (and its own
   * fields, if `fieldsChanged`) differ from the last record passed in; a
   * store may write just those. Optional: without it the ledger calls putGroups.
   */
  updateGroup?(record: GroupRecord, changedSteps: readonly number[], fieldsChanged: boolean): Promise<void>;
  deleteGroup(name: string): Promise<void>;
  /** Release ownership. Idempotent. */
  close(): Promise<void>;
}

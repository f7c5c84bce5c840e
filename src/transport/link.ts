import type { Client } from 'ssh2';
import type { MachineConnectError } from '../errors.js';

/** What a command or a transfer needs from an open SSH connection. */
export interface SshLink {
  readonly machine: string;
  readonly client: Client;
  /** Why the connection is gone (lost or closed), or undefined while it is up. */
  gone(): MachineConnectError | undefined;
  /** Called once when the connection drops; returns the unsubscribe function. */
  onGone(listener: (error: MachineConnectError) => void): () => void;
  /** Background work on the connection (stopping a remote command) that close() waits for. */
  track(work: Promise<void>): void;
}

import { ConfigError } from '../errors.js';

/** Plain JSON values a driver may keep in a reference. */
export type ReferenceValue = string | number | boolean | null;

/**
 * Where a machine came from and how to find it again (chef-provisioning's
 * `machine_spec.reference`). Plain JSON: it is saved in the state file, so it
 * never holds key text, only key names.
 */
export interface MachineReference {
  /** The canonical URL of the driver that made it. */
  readonly driverUrl: string;
  /** The id of the state that owns it: destroy refuses another state's machine unless forced. */
  readonly ownerId: string;
  /** Driver-owned ids (namespace name, host, pid of its sshd, ...). */
  readonly ids: Readonly<Record<string, ReferenceValue>>;
  /** Where it is reached. */
  readonly address?: string;
  readonly port?: number;
  readonly username?: string;
  /** Pinned SSH host key fingerprint (recorded at creation or first connect). */
  readonly hostKey?: string;
  /** Name of the private key used to log in (looked up in the key store). */
  readonly keyName?: string;
}

/** One machine: its name and, once allocated, its reference. */
export interface MachineSpec {
  readonly name: string;
  reference?: MachineReference | undefined;
}

/** Per-machine options a driver reads (driver-owned; plain data). */
export interface MachineOptions {
  /** Name of the key whose public half is authorized on the machine and whose private half logs in. */
  readonly keyName?: string;
  readonly [option: string]: unknown;
}

// Names become parts of namespace and file names, so they are kept plain.
const MACHINE_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/i;

export function assertMachineName(name: unknown, field: string): asserts name is string {
  if (typeof name !== 'string' || !MACHINE_NAME.test(name)) {
    throw new ConfigError(
      `Expected \`${field}\` to be a machine name (letters, digits, '-' or '_', up to 40), got ${JSON.stringify(name)}.`,
    );
  }
}

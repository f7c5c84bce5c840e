import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KeyError } from '../errors.js';

export interface KeyStoreOptions {
  /** Folders holding private keys as files named after the key (`<folder>/<name>`). Searched in order. */
  keyPaths?: readonly string[];
  /** Where `GROUNDWORK_KEY_<NAME>` variables are read; default `process.env`. Searched before the folders. */
  env?: Readonly<Record<string, string | undefined>>;
}

const KEY_NAME = /^[A-Za-z0-9._-]+$/;

/** `GROUNDWORK_KEY_<NAME>`: the name upper-cased, other characters than letters and digits as `_`. */
export function keyEnvName(name: string): string {
  return `GROUNDWORK_KEY_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** Throws KeyError unless `name` is a valid key name (`[A-Za-z0-9._-]+`, not `.` or `..`). */
export function assertKeyName(name: string): void {
  if (typeof name !== 'string' || !KEY_NAME.test(name) || name === '.' || name === '..') {
    throw new KeyError(String(name), `Invalid key name ${JSON.stringify(name)}: use letters, digits, '.', '_' and '-' only.`);
  }
}

/**
 * Private keys by name. A machine's reference records the key's name, never
 * its text; the text is looked up here when connecting, from the environment
 * (`GROUNDWORK_KEY_<NAME>`) or a file `<name>` in one of the key folders.
 */
export class KeyStore {
  readonly keyPaths: readonly string[];
  readonly #env: Readonly<Record<string, string | undefined>>;

  constructor(options: KeyStoreOptions = {}) {
    this.keyPaths = [...(options.keyPaths ?? [])];
    this.#env = options.env ?? process.env;
  }

  /** The private key text for `name`, or a KeyError naming the key and every place searched. */
  async privateKey(name: string): Promise<string> {
    assertKeyName(name);
    const variable = keyEnvName(name);
    const fromEnv = this.#env[variable];
    if (fromEnv !== undefined && fromEnv.trim() !== '') return fromEnv;
    for (const folder of this.keyPaths) {
      const file = join(folder, name);
      try {
        return await readFile(file, 'utf8');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw new KeyError(
          name,
          `Cannot read private key "${name}" from ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}. Check its permissions.`,
        );
      }
    }
    const places = [`environment variable ${variable}`, ...this.keyPaths.map((folder) => join(folder, name))];
    throw new KeyError(
      name,
      `Private key "${name}" not found; looked in ${places.join(', ')}. Set ${variable} to the key text or put the key file in a configured key folder (keyPaths).`,
    );
  }

  /** A KeyStore is never serialized with its contents: keys are looked up again after a restart. */
  toJSON(): { keyPaths: readonly string[] } {
    return { keyPaths: this.keyPaths };
  }
}

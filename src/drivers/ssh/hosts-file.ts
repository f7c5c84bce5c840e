import { readFile } from 'node:fs/promises';
import { ConfigError } from '../../errors.js';

/** One existing machine listed in an `ssh:` driver's hosts file. */
export interface HostEntry {
  name: string;
  host: string;
  port: number;
  username: string;
  keyName: string;
  /** Optional pinned fingerprint (`SHA256:…`); otherwise pinned at first connect. */
  hostKey?: string;
}

/** Read and check `[{ name, host, port?, username, keyName, hostKey? }, ...]`; messages name the entry and field. */
export async function readHostsFile(file: string): Promise<HostEntry[]> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`ssh driver: cannot read hosts file ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (!Array.isArray(value)) throw new ConfigError(`ssh driver: expected ${file} to hold an array of hosts, got ${JSON.stringify(value)}.`);
  const seen = new Set<string>();
  return value.map((entry: Record<string, unknown>, i) => {
    const fail = (field: string, expected: string): never => {
      throw new ConfigError(
        `ssh driver: expected \`[${i}].${field}\` in ${file} to be ${expected}, got ${JSON.stringify(entry?.[field])}.`,
      );
    };
    if (typeof entry !== 'object' || entry === null) fail('', 'an object');
    for (const field of ['name', 'host', 'username', 'keyName'])
      if (typeof entry[field] !== 'string' || entry[field] === '') fail(field, 'a non-empty string');
    const port = entry.port ?? 22;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) fail('port', 'a TCP port');
    if (entry.hostKey !== undefined && typeof entry.hostKey !== 'string') fail('hostKey', 'a SHA256:… fingerprint');
    if (seen.has(entry.name as string)) fail('name', 'unique in the file');
    seen.add(entry.name as string);
    return { ...(entry as unknown as HostEntry), port: port as number };
  });
}

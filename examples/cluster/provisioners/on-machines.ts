// Shared by the example's provisioners: run something on every machine of a
// step's input over SSH (the Machine interface), one connection per machine,
// closed also when the work throws.
import { join } from 'node:path';
import { fanOut, throwIfFailed } from '../../../src/drivers/batch.js';
import { sshOptions } from '../../../src/drivers/ssh-options.js';
import { ConfigError } from '../../../src/errors.js';
import { KeyStore } from '../../../src/keys/key-store.js';
import type { Machine, MachineInfo, ProvisionerContext } from '../../../src/index.js';
import { connectSsh } from '../../../src/index.js';

/** What every step of the example takes: a Machines output, or a later step's that carries the machines on. */
export interface WithMachines {
  machines: MachineInfo[];
}

export function machinesOf(input: unknown, who: string): MachineInfo[] {
  const machines = (input as Partial<WithMachines> | null)?.machines;
  if (!Array.isArray(machines))
    throw new ConfigError(`${who}: expected its input to carry the machines ({ machines: [...] }), got ${JSON.stringify(input)}.`);
  return machines;
}

export interface OnMachinesOptions {
  /** What is being done, for the error naming the machines that failed ("Create folders failed for 1 of 2 machine(s)"). */
  operation: string;
  keyPaths?: string[] | undefined;
  /** How long a connect keeps retrying (default 15 s; short at shutdown, where a machine may be gone). */
  connectDeadlineMs?: number;
}

/** `fn` on each machine (all of them run to the end), then one error naming every machine that failed. */
export async function onMachines<T>(
  machines: readonly MachineInfo[],
  ctx: ProvisionerContext,
  options: OnMachinesOptions,
  fn: (machine: Machine, info: MachineInfo) => Promise<T>,
): Promise<T[]> {
  const keys = new KeyStore({ keyPaths: options.keyPaths ?? [join(ctx.dataDir, 'keys')] });
  const results = await fanOut(
    machines,
    8,
    (m) => m.name,
    async (info) => {
      const defaults = { username: 'root', connectDeadlineMs: options.connectDeadlineMs ?? 15_000 };
      const machine = await connectSsh(await sshOptions(info, { keys, signal: ctx.signal, logger: ctx.logger }, defaults));
      try {
        return await fn(machine, info);
      } finally {
        await machine.close();
      }
    },
  );
  return throwIfFailed(options.operation, results);
}

/** A word for `sh`, single-quoted. */
export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

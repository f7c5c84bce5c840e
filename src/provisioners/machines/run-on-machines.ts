import { join } from 'node:path';
import { ConfigError } from '../../errors.js';
import { fanOut, throwIfFailed } from '../../drivers/batch.js';
import { sshOptions } from '../../drivers/ssh-options.js';
import { KeyStore } from '../../keys/key-store.js';
import { connectSsh } from '../../transport/connect.js';
import type { Provisioner, ProvisionerContext } from '../contract.js';
import type { MachinesOutput } from './machines.js';

export interface RunOnMachinesOptions {
  /** Shell command run on every machine of the input. */
  command: string;
  /** Key folders (default `<state data dir>/keys`). */
  keyPaths?: string[];
  /** Per command (default 60 s). */
  timeoutMs?: number;
}

/** Output: each machine's stdout, by machine name. */
export interface RunOnMachinesOutput {
  outputs: Record<string, string>;
}

/**
 * Runs one command over SSH on every machine the previous provisioner (a
 * `Machines`) returned, with the host key pinned from its reference. Every
 * connection is closed, also when a command fails.
 */
export class RunOnMachines implements Provisioner<MachinesOutput, RunOnMachinesOutput> {
  name = '';
  command: string;
  keyPaths: string[] | undefined;
  timeoutMs: number;
  outputs: Record<string, string> = {};

  constructor(options: RunOnMachinesOptions) {
    if (typeof options?.command !== 'string' || options.command === '')
      throw new ConfigError(`RunOnMachines: expected \`command\` to be a non-empty string, got ${JSON.stringify(options?.command)}.`);
    this.command = options.command;
    this.keyPaths = options.keyPaths;
    this.timeoutMs = options.timeoutMs ?? 60_000;
  }

  async startup(input: MachinesOutput, ctx: ProvisionerContext): Promise<RunOnMachinesOutput> {
    if (!Array.isArray(input?.machines))
      throw new ConfigError(
        `RunOnMachines: expected its input to be a Machines output ({ machines: [...] }), got ${JSON.stringify(input)}.`,
      );
    const keys = new KeyStore({ keyPaths: this.keyPaths ?? [join(ctx.dataDir, 'keys')] });
    const results = await fanOut(
      input.machines,
      8,
      (m) => m.name,
      async (info) => {
        const machine = await connectSsh(await sshOptions(info, { keys, signal: ctx.signal, logger: ctx.logger }, { username: 'root' }));
        try {
          const result = await machine.execute(this.command, { timeout: this.timeoutMs, signal: ctx.signal });
          ctx.actions.forMachine(info.name).reportProgress(result.stdout);
          return result.stdout;
        } finally {
          await machine.close();
        }
      },
    );
    const outputs = throwIfFailed('Run', results);
    this.outputs = Object.fromEntries(input.machines.map((m, i) => [m.name, outputs[i]!]));
    return { outputs: this.outputs };
  }

  shutdown(): boolean {
    this.outputs = {};
    return true;
  }

  async plan(ctx: ProvisionerContext): Promise<void> {
    await ctx.actions.performAction(`run \`${this.command}\` on each machine over SSH`, () => undefined);
  }

  report(): string[] {
    return [
      `\`${this.command}\``,
      ...Object.entries(this.outputs).flatMap(([name, out]) => out.split('\n').map((line) => `${name}: ${line}`)),
    ];
  }
}

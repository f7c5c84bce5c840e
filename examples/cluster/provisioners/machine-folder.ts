// A folder of each machine's own, for a service's data and config (PostgreSQL's
// data directory, nginx's config and temp paths), made over SSH and removed at
// shutdown. Its path carries the state id, so two states never share one.
import { rm, rmdir } from 'node:fs/promises';
import { ConfigError } from '../../../src/errors.js';
import type { MachineInfo, Provisioner, ProvisionerContext } from '../../../src/index.js';
import { registerProvisioner } from '../../../src/index.js';
import { machinesOf, onMachines, shellQuote, type WithMachines } from './on-machines.js';

/** Where the folders go: world-traversable, so a service user (postgres) reaches its own. */
export const FOLDERS_ROOT = '/run/groundwork-cluster';

export interface MachineFolderOptions {
  /** Owner of the folder (default root), e.g. `postgres`. */
  owner?: string;
  keyPaths?: string[];
}

/** The input's machines, each with its `folder` (`{{machine.folder}}`); also `folders` by machine name. */
export interface MachineFolderOutput {
  machines: Array<MachineInfo & { folder: string }>;
  folders: Record<string, string>;
}

export class MachineFolder implements Provisioner<WithMachines, MachineFolderOutput> {
  name = '';
  owner: string;
  keyPaths: string[] | undefined;
  folders: Record<string, string> = {};
  /** Where each machine is, for the shutdown (which gets no input). */
  targets: MachineInfo[] = [];

  constructor(options: MachineFolderOptions = {}) {
    if (options.owner !== undefined && !/^[a-z_][a-z0-9_-]*$/.test(options.owner))
      throw new ConfigError(`MachineFolder: expected \`owner\` to be a user name, got ${JSON.stringify(options.owner)}.`);
    this.owner = options.owner ?? 'root';
    this.keyPaths = options.keyPaths;
  }

  async startup(input: WithMachines, ctx: ProvisionerContext): Promise<MachineFolderOutput> {
    const machines = machinesOf(input, 'MachineFolder');
    this.targets = machines.map((m) => ({ ...m }));
    for (const m of machines) this.folders[m.name] = `${FOLDERS_ROOT}/${ctx.stateId.slice(0, 8)}-${m.name}`;
    await ctx.checkpoint(); // the paths are on disk before anything is made, so a teardown after a crash removes them
    await onMachines(machines, ctx, { operation: 'Create folders', keyPaths: this.keyPaths }, (machine, info) =>
      machine.execute(
        `install -d -m 0755 ${FOLDERS_ROOT} && install -d -m 0700 -o ${this.owner} -g ${this.owner} ${shellQuote(this.folders[info.name]!)}`,
        { signal: ctx.signal },
      ),
    );
    return { machines: machines.map((m) => ({ ...m, folder: this.folders[m.name]! })), folders: { ...this.folders } };
  }

  async shutdown(ctx: ProvisionerContext): Promise<boolean> {
    const targets = this.targets.filter((m) => this.folders[m.name]);
    try {
      await onMachines(targets, ctx, { operation: 'Remove folders', keyPaths: this.keyPaths, connectDeadlineMs: 2_000 }, (machine, info) =>
        machine.execute(`rm -rf ${shellQuote(this.folders[info.name]!)}; rmdir ${FOLDERS_ROOT} 2>/dev/null || true`, {
          signal: ctx.signal,
        }),
      );
    } catch (error) {
      // A netns machine shares this host's filesystem: one that no longer answers
      // SSH (powered off) still has its folder here, so it is removed from here.
      if (!targets.every((m) => m.driverUrl.startsWith('netns:'))) throw error;
      for (const m of targets) {
        ctx.actions.forMachine(m.name).reportProgress(`not reachable over SSH; removing ${this.folders[m.name]} from the host`);
        await rm(this.folders[m.name]!, { recursive: true, force: true });
      }
      await rmdir(FOLDERS_ROOT).catch(() => {}); // other states' folders are still in it
    }
    this.folders = {};
    return true;
  }

  report(): string[] {
    const lines = Object.entries(this.folders).map(([m, f]) => `${m}: ${f} (owner ${this.owner})`);
    return lines.length > 0 ? lines : ['no folders'];
  }
}
registerProvisioner(MachineFolder);

import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { DriverError } from '../../errors.js';
import type { Machine } from '../../machines/machine.js';
import { writeClaimFile } from '../../os/claim-file.js';
import { withReleasers } from '../../os/releasers.js';
import { connectSsh } from '../../transport/connect.js';
import { driverConcurrency } from '../batch.js';
import type { Driver, DriverActions, DriverContext, PreflightCheck } from '../driver.js';
import type { MachineOptions, MachineSpec } from '../machine-spec.js';
import { assertOwned, forgetReference } from '../ownership.js';
import { urlRest } from '../registry.js';
import { sshOptions } from '../ssh-options.js';
import { readHostsFile, type HostEntry } from './hosts-file.js';

interface Claim {
  ownerId: string;
  machine: string;
}

/**
 * Machines that already exist, listed in a JSON file (`ssh:/abs/hosts.json`).
 * Allocate claims a free entry; destroy releases it and never powers anything off.
 * Claims are files `<hosts file>.claims/<entry name>` created with O_EXCL and
 * holding the owner state and machine: visible to every group, state and process
 * using the same hosts file, so no two machines ever claim the same host.
 */
export class SshDriver implements Driver {
  readonly driverUrl: string;
  readonly concurrency: number;
  readonly file: string;
  readonly #claims: string;

  constructor(url: string, config: Readonly<Record<string, unknown>>) {
    const rest = urlRest(url);
    if (rest === '') throw new DriverError(`The ssh driver needs a hosts file: "ssh:hosts.json", got ${JSON.stringify(url)}.`);
    this.file = isAbsolute(rest) ? rest : resolve(typeof config.baseDir === 'string' ? config.baseDir : process.cwd(), rest);
    this.driverUrl = `ssh:${this.file}`;
    this.concurrency = driverConcurrency(config, 'ssh');
    this.#claims = join(dirname(this.file), `${this.file.split('/').pop()}.claims`);
  }

  /** The hosts file exists and every entry parses. */
  async preflight(): Promise<PreflightCheck[]> {
    try {
      const hosts = await readHostsFile(this.file);
      return [{ what: `hosts file ${this.file} (${hosts.length} host(s))`, ok: true }];
    } catch (error) {
      return [
        {
          what: `hosts file ${this.file}`,
          ok: false,
          fix: `${(error as Error).message} Write a JSON array of { "name", "host", "username", "keyName", "port"? } there.`,
        },
      ];
    }
  }

  async allocateMachine(action: DriverActions, spec: MachineSpec, options: MachineOptions, ctx: DriverContext): Promise<void> {
    if (spec.reference) return;
    const hosts = await readHostsFile(this.file);
    const wanted = typeof options.host === 'string' ? hosts.filter((h) => h.name === options.host) : hosts;
    await mkdir(this.#claims, { recursive: true });
    const me: Claim = { ownerId: ctx.ownerId, machine: spec.name };
    for (const entry of wanted) {
      const claimed = await this.#claim(entry, me);
      if (!claimed) continue;
      await action.performAction(`claim host ${entry.name} (${entry.username}@${entry.host}:${entry.port})`, async () => {
        spec.reference = {
          driverUrl: this.driverUrl,
          ownerId: ctx.ownerId,
          ids: { host: entry.name },
          address: entry.host,
          port: entry.port,
          username: entry.username,
          keyName: typeof options.keyName === 'string' ? options.keyName : entry.keyName,
          ...(entry.hostKey ? { hostKey: entry.hostKey } : {}),
        };
        await ctx.record(spec); // if this fails, a resumed run finds the claim ours (same owner and machine)
      });
      return;
    }
    throw new DriverError(
      `No free host in ${this.file} for machine "${spec.name}" (${wanted.length} listed, all claimed); add hosts or destroy machines that use them.`,
      {
        machine: spec.name,
        driverUrl: this.driverUrl,
      },
    );
  }

  async readyMachine(action: DriverActions, spec: MachineSpec, options: MachineOptions, ctx: DriverContext): Promise<Machine> {
    await this.allocateMachine(action, spec, options, ctx);
    return withReleasers(async (owned) => {
      const machine = await this.connectToMachine(spec, ctx);
      owned.defer(() => machine.close()); // until the caller has it: a failed record must not leak it and its keepalive
      const ref = spec.reference!;
      if (!ref.hostKey && 'hostKey' in machine && typeof machine.hostKey === 'string') {
        spec.reference = { ...ref, hostKey: machine.hostKey }; // pinned at first connect
        await ctx.record(spec);
      }
      return machine;
    });
  }

  async connectToMachine(spec: MachineSpec, ctx: DriverContext): Promise<Machine> {
    const ref = spec.reference;
    if (!ref?.address)
      throw new DriverError(`Machine "${spec.name}" has not claimed a host yet; allocate it first.`, {
        machine: spec.name,
        driverUrl: this.driverUrl,
      });
    return connectSsh(await sshOptions({ ...ref, name: spec.name, address: ref.address }, ctx, { username: 'root' }));
  }

  /** Existing machines are not ours to power off. */
  async stopMachine(action: DriverActions): Promise<void> {
    action.reportProgress('an ssh machine is never powered off; nothing to stop');
  }

  async destroyMachine(action: DriverActions, spec: MachineSpec, ctx: DriverContext): Promise<void> {
    const ref = spec.reference;
    if (!ref) return;
    assertOwned(spec, ctx);
    const host = String(ref.ids.host);
    await action.performAction(`release host ${host}`, () => rm(join(this.#claims, host), { force: true }));
    await forgetReference(spec, ctx);
  }

  // True if the entry is now ours: a new claim, or one this machine made before a crash.
  async #claim(entry: HostEntry, me: Claim): Promise<boolean> {
    const path = join(this.#claims, entry.name);
    try {
      await writeClaimFile(path, JSON.stringify(me));
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const held = JSON.parse(await readFile(path, 'utf8').catch(() => '{}')) as Partial<Claim>;
    return held.ownerId === me.ownerId && held.machine === me.machine;
  }
}

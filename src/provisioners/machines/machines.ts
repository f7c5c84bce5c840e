import { join } from 'node:path';
import { ConfigError } from '../../errors.js';
import { destroyMachines, throwIfFailed } from '../../drivers/batch.js';
import { assertPreflight } from '../../drivers/preflight.js';
import type { Driver, DriverContext, MachineRequest } from '../../drivers/driver.js';
import { defaultDriverRegistry, type DriverRegistry } from '../../drivers/registry.js';
import { assertMachineName, type MachineReference, type MachineSpec } from '../../drivers/machine-spec.js';
import { KeyStore } from '../../keys/key-store.js';
import type { Machine } from '../../machines/machine.js';
import type { CheckResult, Provisioner, ProvisionerContext } from '../contract.js';
import { sshAnswers } from './reachable.js';
import { allocateAll, closeAll, MachineStage, nextStage, reached, readyAll, runCommands } from './stages.js';

export interface MachinesOptions {
  /** Driver URL: `netns`, `netns:/run/groundwork`, `ssh:hosts.json`, `local`. */
  driver: string;
  /** The driver's settings, e.g. `{ subnet: '10.200.0.0/16' }` for netns (plain data: it is saved). */
  driverConfig?: Record<string, unknown>;
  /** Machine names. */
  machines: string[];
  /** Name of the private key that logs in (and, for netns, is authorized). */
  keyName?: string;
  /** Folders with private keys named after the key (default `<state data dir>/keys`); `GROUNDWORK_KEY_<NAME>` also works. */
  keyPaths?: string[];
  /** Commands run on every machine once it is ready. */
  setup?: string[];
  /** Commands run on every machine after setup (the "converge" stage). */
  converge?: string[];
  /** Timeout of each setup/converge command (default 5 min). */
  commandTimeoutMs?: number;
  /**
   * Where the constructor checks `driver` and `driverConfig` (default: the process-wide registry).
   * Not saved: at run time the scheduler's registry, `ctx.drivers`, makes the driver.
   */
  drivers?: DriverRegistry;
}

/** What the next provisioner gets: how to reach each machine (never key text). */
export interface MachineInfo {
  name: string;
  address: string;
  port: number;
  username: string;
  keyName: string | undefined;
  hostKey: string | undefined;
  driverUrl: string;
  /** The netns driver's namespace of the machine (what `powerOff` acts on); absent for other drivers. */
  namespace?: string;
}

export interface MachinesOutput {
  machines: MachineInfo[];
}

/**
 * A machine provisioner: creates machines through a driver and returns their
 * addresses. Its startup goes allocate → ready → setup → converge, checkpointing
 * the stage and every machine's reference, so a resume continues where it stopped.
 */
export class Machines implements Provisioner<unknown, MachinesOutput> {
  name = '';
  driver: string;
  driverConfig: Record<string, unknown>;
  machines: string[];
  keyName: string | undefined;
  keyPaths: string[] | undefined;
  setup: string[];
  converge: string[];
  commandTimeoutMs: number;
  stage: MachineStage = MachineStage.New;
  /** Canonical driver URL, once resolved. */
  driverUrl: string | undefined;
  references: Record<string, MachineReference> = {};

  constructor(options: MachinesOptions) {
    if (typeof options?.driver !== 'string' || options.driver === '')
      throw new ConfigError(`Machines: expected \`driver\` to be a driver URL like "netns", got ${JSON.stringify(options?.driver)}.`);
    if (!Array.isArray(options.machines) || options.machines.length === 0)
      throw new ConfigError(`Machines: expected \`machines\` to be a non-empty array of names, got ${JSON.stringify(options.machines)}.`);
    if (new Set(options.machines).size !== options.machines.length)
      throw new ConfigError(`Machines: \`machines\` lists a name twice: ${JSON.stringify(options.machines)}.`);
    options.machines.forEach((name, i) => assertMachineName(name, `machines[${i}]`));
    for (const field of ['setup', 'converge'] as const) {
      const value = options[field];
      if (value !== undefined && !(Array.isArray(value) && value.every((c) => typeof c === 'string')))
        throw new ConfigError(`Machines: expected \`${field}\` to be an array of commands, got ${JSON.stringify(value)}.`);
    }
    this.driver = options.driver;
    this.driverConfig = options.driverConfig ?? {};
    this.machines = [...options.machines];
    this.keyName = options.keyName;
    this.keyPaths = options.keyPaths;
    this.setup = options.setup ?? [];
    this.converge = options.converge ?? [];
    this.commandTimeoutMs = options.commandTimeoutMs ?? 300_000;
    // Fails at config time on an unknown scheme or a bad driver config.
    this.driverUrl = (options.drivers ?? defaultDriverRegistry()).driverForUrl(this.driver, this.driverConfig).driverUrl;
  }

  async startup(_input: unknown, ctx: ProvisionerContext): Promise<MachinesOutput> {
    const driver = this.driverFor(ctx.drivers);
    await assertPreflight(driver); // a missing sshd or a non-root run fails here, with its fix, before anything is allocated
    const dctx = this.driverContext(ctx, false);
    const requests = this.requests();
    if (this.stage === MachineStage.New) {
      await allocateAll(driver, ctx.actions, requests, dctx);
      await this.advance(ctx);
    }
    let machines: Machine[] = [];
    try {
      machines = await readyAll(driver, ctx.actions, requests, dctx);
      if (this.stage === MachineStage.Allocated) await this.advance(ctx);
      const options = { timeout: this.commandTimeoutMs, signal: ctx.signal, concurrency: driver.concurrency };
      if (this.stage === MachineStage.Ready) {
        await runCommands('setup', this.setup, machines, ctx.actions, options);
        await this.advance(ctx);
      }
      if (this.stage === MachineStage.SetUp) {
        await runCommands('converge', this.converge, machines, ctx.actions, options);
        await this.advance(ctx);
      }
    } finally {
      await closeAll(machines);
    }
    return { machines: this.info() };
  }

  async shutdown(ctx: ProvisionerContext): Promise<boolean> {
    const driver = this.driverFor(ctx.drivers);
    const specs = this.requests().map((r) => r.spec);
    throwIfFailed('Destroy', await destroyMachines(driver, ctx.actions, specs, this.driverContext(ctx, false)));
    this.stage = MachineStage.New;
    await ctx.checkpoint();
    return true;
  }

  /** Why-run: what startup would do (see `provision --dry-run`). */
  async plan(ctx: ProvisionerContext): Promise<void> {
    const driver = this.driverFor(ctx.drivers);
    for (const { spec, options } of this.requests()) {
      const action = ctx.actions.forMachine(spec.name);
      if (!reached(this.stage, MachineStage.Allocated) && driver.planMachine) await driver.planMachine(action, spec, options, ctx.stateId);
      else
        await action.performAction(
          `${reached(this.stage, MachineStage.Allocated) ? 'ready' : 'allocate and ready'} machine ${spec.name} through ${driver.driverUrl}`,
          () => undefined,
        );
      if (!reached(this.stage, MachineStage.SetUp))
        for (const c of this.setup) await action.performAction(`run \`${c}\` (setup)`, () => undefined);
      if (!reached(this.stage, MachineStage.Converged))
        for (const c of this.converge) await action.performAction(`run \`${c}\` (converge)`, () => undefined);
    }
  }

  /**
   * Health on reuse: every recorded machine's sshd answers (its SSH greeting
   * is read: one round trip per machine, no handshake, so a kept run stays fast).
   */
  async check(ctx: ProvisionerContext): Promise<CheckResult> {
    const infos = this.info();
    const missing = this.machines.filter((name) => !infos.some((i) => i.name === name));
    if (missing.length > 0) return { ok: false, reason: `no address recorded for ${missing.join(', ')}` };
    const problems = await Promise.all(
      infos.map(async (info) => {
        const problem = await sshAnswers(info.address, info.port, ctx.signal);
        return problem && `${info.name}: SSH at ${info.address}:${info.port} does not answer (${problem})`;
      }),
    );
    const failed = problems.filter((p): p is string => p !== undefined);
    return failed.length === 0 ? { ok: true } : { ok: false, reason: failed.join('; ') };
  }

  /** Where each recorded machine is. */
  info(): MachineInfo[] {
    return this.machines.flatMap((name) => {
      const ref = this.references[name];
      if (!ref?.address) return [];
      return [
        {
          name,
          address: ref.address,
          port: ref.port ?? 22,
          username: ref.username ?? 'root',
          keyName: ref.keyName,
          hostKey: ref.hostKey,
          driverUrl: ref.driverUrl,
          ...(typeof ref.ids.namespace === 'string' ? { namespace: ref.ids.namespace } : {}),
        },
      ];
    });
  }

  report(): string[] {
    const lines = [`${this.machines.length} machine(s) via ${this.driverUrl ?? this.driver}, stage ${this.stage}`];
    for (const name of this.machines) {
      const ref = this.references[name];
      const where = ref?.address ? `${ref.username ?? 'root'}@${ref.address}:${ref.port ?? 22}` : '(not allocated)';
      const ns = typeof ref?.ids.namespace === 'string' ? ` namespace ${ref.ids.namespace}` : '';
      lines.push(`${name}  ${where}${ns}`);
    }
    return lines;
  }

  /** This provisioner's driver, made by `drivers` (the scheduler's, or reaping's). */
  driverFor(drivers: DriverRegistry): Driver {
    return drivers.driverForUrl(this.driverUrl ?? this.driver, this.driverConfig);
  }

  private requests(): MachineRequest[] {
    return this.machines.map((name) => ({ spec: this.spec(name), options: this.keyName ? { keyName: this.keyName } : {} }));
  }

  private spec(name: string): MachineSpec {
    return { name, reference: this.references[name] };
  }

  private driverContext(ctx: ProvisionerContext, force: boolean): DriverContext {
    // Checkpoints of a batch run one at a time, each saving the references as they are then.
    let chain: Promise<void> = Promise.resolve();
    return {
      ownerId: ctx.stateId,
      signal: ctx.signal,
      logger: ctx.logger,
      keys: new KeyStore({ keyPaths: this.keyPaths ?? [join(ctx.dataDir, 'keys')] }),
      force,
      record: (spec) => {
        if (spec.reference) this.references[spec.name] = spec.reference;
        else delete this.references[spec.name];
        chain = chain.then(() => ctx.checkpoint());
        return chain;
      },
    };
  }

  private async advance(ctx: ProvisionerContext): Promise<void> {
    this.stage = nextStage(this.stage);
    await ctx.checkpoint();
  }
}

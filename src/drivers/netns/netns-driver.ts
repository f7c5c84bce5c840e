import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError, DriverError } from '../../errors.js';
import { failpoint } from '../../failpoints.js';
import type { Machine } from '../../machines/machine.js';
import { waitForPort } from '../../os/net.js';
import { connectSsh } from '../../transport/connect.js';
import type { Driver, DriverActions, DriverContext, PreflightCheck } from '../driver.js';
import { check, findOnPath, isExecutable } from '../preflight.js';
import { assertMachineName, type MachineOptions, type MachineReference, type MachineSpec } from '../machine-spec.js';
import { assertOwned, forgetReference } from '../ownership.js';
import { urlRest } from '../registry.js';
import { sshOptions } from '../ssh-options.js';
import { AddressClaims } from './claims.js';
import { addNamespace, listNamespaces, namespaceExists, wireNamespace } from './ip.js';
import { machineFiles, prepareSshd } from './machine-files.js';
import { namespaceName, stateTag, vethNames } from './names.js';
import { removeNamespace } from './remove.js';
import { isSshdAlive, SSHD, startSshd, stopSshd } from './sshd-process.js';
import { Subnet } from './subnet.js';
import { readConfig, type NetnsDriverConfig } from './config.js';

export const DEFAULT_NETNS_DIR = '/run/groundwork';

/**
 * Machines that are Linux network namespaces on this host (`netns:/run/groundwork`;
 * the path holds each machine's sshd files and the address claims). Each gets
 * a veth pair with a /30 from the configured subnet, lo up, and an OpenSSH sshd
 * inside with a generated host key (pinned at allocation) and one authorized key.
 */
export class NetnsDriver implements Driver {
  readonly driverUrl: string;
  readonly concurrency: number;
  readonly dir: string;
  readonly config: NetnsDriverConfig;
  readonly #claims: AddressClaims;

  constructor(url: string, config: Readonly<Record<string, unknown>>) {
    const rest = urlRest(url);
    this.dir = rest === '' ? DEFAULT_NETNS_DIR : isAbsolute(rest) ? rest : resolve(rest);
    this.driverUrl = `netns:${this.dir}`;
    this.config = readConfig(config);
    this.concurrency = this.config.concurrency;
    this.#claims = new AddressClaims(this.dir, new Subnet(this.config.subnet));
  }

  namespaceOf(spec: MachineSpec, ownerId: string): string {
    const recorded = spec.reference?.ids.namespace;
    return typeof recorded === 'string' ? recorded : namespaceName(this.config.prefix, ownerId, spec.name);
  }

  /** Root (namespaces and veths), `ip` from iproute2, and OpenSSH's sshd at its configured path. */
  async preflight(): Promise<PreflightCheck[]> {
    const sshd = this.config.sshdPath;
    return [
      check('root', process.getuid?.() === 0, 'it creates network namespaces and veth pairs; run as root (sudo)'),
      check('`ip` (iproute2) on PATH', (await findOnPath('ip')) !== undefined, 'apt-get install iproute2'),
      check(
        `OpenSSH sshd at ${sshd}`,
        await isExecutable(sshd),
        `apt-get install openssh-server, or run scripts/ensure-sshd.sh${sshd === SSHD ? '' : ", or set the driver's `sshdPath` to where sshd is"}`,
      ),
    ];
  }

  async allocateMachine(action: DriverActions, spec: MachineSpec, options: MachineOptions, ctx: DriverContext): Promise<void> {
    assertMachineName(spec.name, 'machine name');
    assertRoot(spec.name);
    const keyName = options.keyName ?? spec.reference?.keyName;
    if (!keyName) throw new ConfigError(`Machine "${spec.name}": the netns driver needs a \`keyName\` (the key authorized to log in).`);
    const privateKey = await ctx.keys.privateKey(keyName); // fail before creating anything
    let ns = this.namespaceOf(spec, ctx.ownerId);
    if (spec.reference && !(await namespaceExists(ns, ctx.signal))) {
      action.reportProgress(`namespace ${ns} no longer exists; recreating it`);
      spec.reference = undefined;
      ns = this.namespaceOf(spec, ctx.ownerId);
    }
    if (!(await namespaceExists(ns, ctx.signal))) {
      await action.performAction(`create namespace ${ns}`, () => addNamespace(ns, ctx.signal));
      failpoint('netns-after-create');
    } else if (!spec.reference) {
      action.reportProgress(`adopting namespace ${ns}, created by a run that stopped before recording it`);
    }
    const block = await this.#claims.claim(ns, ctx.signal);
    const { host, machine } = this.#claims.subnet.block(block);
    const veth = vethNames(ns);
    await action.performAction(`connect ${ns} through veth ${veth.host} (${host} ↔ ${machine})`, () =>
      wireNamespace(ns, veth, `${host}/30`, `${machine}/30`, ctx.signal),
    );
    const hostKey = await prepareSshd(machineFiles(this.dir, ns), machine, privateKey, keyName, ctx.signal);
    const previous = spec.reference?.ids ?? {};
    spec.reference = {
      driverUrl: this.driverUrl,
      ownerId: ctx.ownerId,
      ids: {
        namespace: ns,
        hostVeth: veth.host,
        hostAddress: host,
        sshdPid: previous.sshdPid ?? null,
        sshdStartTime: previous.sshdStartTime ?? null,
      },
      address: machine,
      port: 22,
      username: this.config.username,
      hostKey,
      keyName,
    };
    await ctx.record(spec);
    failpoint('netns-after-record');
  }

  async readyMachine(action: DriverActions, spec: MachineSpec, options: MachineOptions, ctx: DriverContext): Promise<Machine> {
    assertRoot(spec.name);
    // Recreated when gone; its sshd files rewritten when they were removed.
    const present = spec.reference && existsSync(machineFiles(this.dir, this.namespaceOf(spec, ctx.ownerId)).config);
    if (!present || !(await namespaceExists(this.namespaceOf(spec, ctx.ownerId), ctx.signal))) {
      const keyName = options.keyName ?? spec.reference?.keyName;
      await this.allocateMachine(action, spec, { ...options, ...(keyName !== undefined ? { keyName } : {}) }, ctx);
    }
    const ref = spec.reference!;
    const ns = this.namespaceOf(spec, ctx.ownerId);
    const files = machineFiles(this.dir, ns);
    if (!isSshdAlive(ref.ids.sshdPid, ref.ids.sshdStartTime)) {
      await action.performAction(`start sshd in ${ns} on ${ref.address}:22`, async () => {
        const { pid, startTime } = await startSshd(ns, files, files.config, this.config.sshdPath);
        spec.reference = { ...ref, ids: { ...ref.ids, sshdPid: pid, sshdStartTime: startTime ?? null } };
        await ctx.record(spec);
      });
      failpoint('netns-after-sshd');
    }
    const ids = spec.reference!.ids;
    await waitForPort(ref.address!, 22, {
      timeoutMs: this.config.readyTimeoutMs,
      signal: ctx.signal,
      stillAlive: () => (isSshdAlive(ids.sshdPid, ids.sshdStartTime) ? undefined : `sshd in ${ns} exited; see ${files.log}`),
    }).catch((error: unknown) => {
      throw new DriverError(`Machine "${spec.name}" (namespace ${ns}) is not ready: ${(error as Error).message}`, {
        machine: spec.name,
        driverUrl: this.driverUrl,
        cause: error,
      });
    });
    return this.connectToMachine(spec, ctx);
  }

  async connectToMachine(spec: MachineSpec, ctx: DriverContext): Promise<Machine> {
    const ref = requireReference(spec, this.driverUrl);
    const { username, connectDeadlineMs } = this.config;
    return connectSsh(await sshOptions({ ...ref, name: spec.name, address: ref.address! }, ctx, { username, connectDeadlineMs }));
  }

  async stopMachine(action: DriverActions, spec: MachineSpec, ctx: DriverContext): Promise<void> {
    const ref = spec.reference;
    if (!ref || !isSshdAlive(ref.ids.sshdPid, ref.ids.sshdStartTime)) return;
    await action.performAction(`stop sshd in ${this.namespaceOf(spec, ctx.ownerId)} (pid ${String(ref.ids.sshdPid)})`, async () => {
      await stopSshd(ref.ids.sshdPid, ref.ids.sshdStartTime, ctx.signal);
      spec.reference = { ...ref, ids: { ...ref.ids, sshdPid: null, sshdStartTime: null } };
      await ctx.record(spec);
    });
  }

  async destroyMachine(action: DriverActions, spec: MachineSpec, ctx: DriverContext): Promise<void> {
    const ref = spec.reference;
    assertOwned(spec, ctx);
    assertRoot(spec.name);
    // Without a reference, the deterministic name still finds a create cut short before it was recorded.
    const ns = ref ? this.namespaceOf(spec, ctx.ownerId) : namespaceName(this.config.prefix, ctx.ownerId, spec.name);
    if (ref || (await namespaceExists(ns, ctx.signal))) {
      await action.performAction(`delete namespace ${ns}, its veth and its processes`, () =>
        removeNamespace(ns, machineFiles(this.dir, ns).dir, ctx.signal),
      );
    }
    await this.#claims.release(ns);
    await forgetReference(spec, ctx);
  }

  async planMachine(action: DriverActions, spec: MachineSpec, options: MachineOptions, ownerId: string): Promise<void> {
    const ns = this.namespaceOf(spec, ownerId);
    if (spec.reference?.address) {
      action.reportProgress(`namespace ${ns} is recorded at ${spec.reference.address}`);
      await action.performAction(`start sshd in ${ns} if it is not running, and connect over SSH`, () => undefined);
      return;
    }
    await action.performAction(`create namespace ${ns}`, () => undefined);
    await action.performAction(`connect it through a veth pair with a /30 from ${this.config.subnet}`, () => undefined);
    await action.performAction(`start sshd in ${ns} (authorized key "${options.keyName ?? '?'}") and connect over SSH`, () => undefined);
  }

  async reap(ownerId: string, owned: ReadonlySet<string>, options: { dryRun: boolean; signal: AbortSignal }): Promise<string[]> {
    assertRoot('(reap)');
    const tag = stateTag(this.config.prefix, ownerId);
    const orphans = (await listNamespaces(options.signal)).filter((ns) => ns.startsWith(tag) && !owned.has(ns));
    if (!options.dryRun) {
      for (const ns of orphans) {
        await removeNamespace(ns, machineFiles(this.dir, ns).dir, options.signal);
        await this.#claims.release(ns);
      }
    }
    return orphans;
  }
}

function requireReference(spec: MachineSpec, driverUrl: string): MachineReference {
  if (!spec.reference?.address) {
    throw new DriverError(`Machine "${spec.name}" has no recorded address; allocate it first.`, { machine: spec.name, driverUrl });
  }
  return spec.reference;
}

function assertRoot(machine: string): void {
  const uid = process.getuid?.();
  if (uid !== 0) {
    throw new DriverError(
      `The netns driver needs root to create network namespaces (machine "${machine}"; running as uid ${String(uid)}). ` +
        `Run as root (e.g. with sudo), or use the "local" or "ssh" driver.`,
      { machine },
    );
  }
}

import { ConfigError, describeError, HostKeyMismatchError, MachineConnectError, NotReadyError, ProcessError } from '../errors.js';
import { fanOut, throwIfFailed } from '../drivers/batch.js';
import type { Machine } from '../machines/machine.js';
import { portAnswers } from '../os/net.js';
import { isSameProcessAlive } from '../os/process-info.js';
import { withReleasers } from '../os/releasers.js';
import type { CheckResult, Provisioner, ProvisionerContext } from './contract.js';
import type { MachineInfo, MachinesOutput } from './machines/machines.js';
import { withMachine } from './remote/connect.js';
import { removeLogScript, startScript, stopScript, tailScript } from './remote/scripts.js';
import { remoteAlive, waitRemoteReady } from './remote/wait-ready.js';
import { render, renderEnv } from './template.js';

export interface RemoteServiceOptions {
  /** Shell command run on each machine; `{{machine.address}}`, `{{machine.name}}`, `{{port}}`, `{{dependencies.…}}`, `{{input.…}}` are filled in. */
  command: string;
  /** TCP port it listens on, at the machine's address. */
  port: number;
  /** Run as this user (through setpriv; needs a root login), e.g. `postgres`. Default: the SSH user. */
  user?: string;
  cwd?: string;
  env?: Record<string, string>;
  /** How long to wait for the port to answer (default 30 s). */
  readyTimeoutMs?: number;
  /** How long SIGTERM gets before the process group is killed (default 5 s). */
  stopTimeoutMs?: number;
  /** Key folders (default `<state data dir>/keys`). */
  keyPaths?: string[];
}

export interface RemoteServiceInstance {
  machine: string;
  host: string;
  port: number;
  /** `host:port` */
  address: string;
  pid: number;
}

/** The machines pass through, so steps chain: Machines → RemoteService → RemoteService / RunOnMachines. */
export interface RemoteServiceOutput {
  machines: MachineInfo[];
  services: RemoteServiceInstance[];
}

/** What the snapshot keeps per machine: enough to adopt or stop exactly our process later. */
export interface RemoteProcessRecord extends RemoteServiceInstance {
  startTime: number;
  logFile: string;
  /** As last seen by this provisioner (startup, check, shutdown). */
  status: 'running' | 'gone';
}

/** A gone machine should not hold a teardown for connectSsh's default 30 s. */
const SHUTDOWN_CONNECT_MS = 3_000;

/**
 * The remote twin of LocalService: starts a long-running command on every
 * machine of its input over SSH, in its own process group with its output to
 * `/var/tmp/groundwork-<state id>/<machine>/<group>.<step>.log` on that machine, and waits
 * until its port answers at the machine's address. Pid + start time are
 * checkpointed before the wait, so a resumed run adopts the process instead of
 * starting a second one, and shutdown stops exactly that process group.
 */
export class RemoteService implements Provisioner<MachinesOutput | RemoteServiceOutput, RemoteServiceOutput> {
  name = '';
  command: string;
  port: number;
  user: string | undefined;
  cwd: string | undefined;
  env: Record<string, string>;
  readyTimeoutMs: number;
  stopTimeoutMs: number;
  keyPaths: string[] | undefined;
  /** The input's machines, kept so that shutdown can reach them. */
  machines: MachineInfo[] = [];
  processes: Record<string, RemoteProcessRecord> = {};
  resolvedCommands: Record<string, string> = {};

  constructor(options: RemoteServiceOptions) {
    if (typeof options?.command !== 'string' || options.command === '')
      throw new ConfigError(`RemoteService: expected \`command\` to be a non-empty string, got ${JSON.stringify(options?.command)}.`);
    if (!(Number.isInteger(options.port) && options.port > 0 && options.port < 65536))
      throw new ConfigError(`RemoteService: expected \`port\` to be a TCP port number, got ${JSON.stringify(options.port)}.`);
    if (options.user !== undefined && !/^[a-z_][\w.-]*$/i.test(options.user))
      throw new ConfigError(`RemoteService: expected \`user\` to be a user name, got ${JSON.stringify(options.user)}.`);
    for (const key of Object.keys(options.env ?? {}))
      if (!/^[A-Za-z_]\w*$/.test(key)) throw new ConfigError(`RemoteService: \`env\` key ${JSON.stringify(key)} is not a variable name.`);
    this.command = options.command;
    this.port = options.port;
    this.user = options.user;
    this.cwd = options.cwd;
    this.env = options.env ?? {};
    this.readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
    this.keyPaths = options.keyPaths;
  }

  async startup(input: MachinesOutput | RemoteServiceOutput, ctx: ProvisionerContext): Promise<RemoteServiceOutput> {
    const machines = machinesFrom(input, ctx.dependencies);
    this.machines = machines;
    // Checkpoints of the fan-out run one at a time, each saving the records as they are then.
    let chain: Promise<void> = Promise.resolve();
    const checkpoint = () => (chain = chain.then(() => ctx.checkpoint()));
    const results = await fanOut(machines, 8, (m) => m.name, (info) => this.startOn(info, input, ctx, checkpoint));
    const services = throwIfFailed('Start service', results);
    return { machines, services };
  }

  private startOn(
    info: MachineInfo,
    input: unknown,
    ctx: ProvisionerContext,
    checkpoint: () => Promise<void>,
  ): Promise<RemoteServiceInstance> {
    return withMachine(info, ctx, { keyPaths: this.keyPaths }, (machine) =>
      withReleasers(async (owned) => {
        const recorded = this.processes[info.name];
        const adopted = recorded !== undefined && (await remoteAlive(machine, recorded.pid, recorded.startTime, ctx.signal));
        const record = adopted ? recorded : await this.spawn(machine, info, input, ctx);
        // Until its port answers, the process is ours to stop: also when the checkpoint that names it fails.
        owned.defer(() => this.stopOn(machine, record, ctx));
        if (adopted) ctx.logger.info(`adopted pid ${record.pid} on ${info.name}, waiting for ${record.address}`);
        else {
          this.processes[info.name] = record;
          await checkpoint(); // the pid is on disk before we wait on anything
          ctx.logger.info(`started on ${info.name} (pid ${record.pid}), waiting for ${record.address}`);
        }
        try {
          await waitRemoteReady(machine, record, { timeoutMs: this.readyTimeoutMs, signal: ctx.signal });
        } catch (error) {
          await owned.release(); // stopped first, so the log tail is complete
          delete this.processes[info.name];
          await checkpoint();
          if (!(error instanceof NotReadyError)) throw error; // cancelled: the step reports the abort reason
          const tail = (await machine.execute(tailScript(record.logFile), { timeout: 5_000, reject: false }).catch(() => undefined))?.stdout.trim();
          const output = tail ? `\nlast output of ${info.name}:${record.logFile}:\n${tail}` : '';
          throw new NotReadyError(`${error.message}${output}`, { host: record.host, port: record.port, group: ctx.group, step: ctx.step, cause: error });
        }
        owned.keep();
        record.status = 'running';
        return { machine: record.machine, host: record.host, port: record.port, address: record.address, pid: record.pid };
      }),
    );
  }

  private async spawn(machine: Machine, info: MachineInfo, input: unknown, ctx: ProvisionerContext): Promise<RemoteProcessRecord> {
    const vars = { input, dependencies: ctx.dependencies, port: this.port, machine: { name: info.name, address: info.address } };
    const command = render(this.command, vars, 'command');
    this.resolvedCommands[info.name] = command;
    const logFile = `/var/tmp/groundwork-${ctx.stateId.replace(/-/g, '').slice(0, 8)}/${info.name}/${ctx.group}.${ctx.step + 1}.log`;
    const script = startScript({
      command,
      logFile,
      cwd: this.cwd === undefined ? undefined : render(this.cwd, vars, 'cwd'),
      env: renderEnv(this.env, vars, 'env'),
      user: this.user,
    });
    const result = await machine.execute(script, { timeout: 15_000, signal: ctx.signal });
    const [pid, start] = result.stdout.trim().split(' ').map(Number);
    // No start time: it exited before we looked; 0 matches no process, so the wait reports it with the log tail.
    const startTime = start ?? 0;
    if (!pid || !Number.isInteger(startTime))
      throw new ProcessError(
        `RemoteService: starting \`${command}\` on ${info.name} printed ${JSON.stringify(result.stdout)} instead of "<pid> <start time>"; ` +
          `check that setsid${this.user ? ' and setpriv are' : ' is'} installed there (stderr: ${result.stderr.trim() || 'empty'}).`,
        { command },
      );
    return { machine: info.name, host: info.address, port: this.port, address: `${info.address}:${this.port}`, pid, startTime, logFile, status: 'running' };
  }

  private async stopOn(machine: Machine, record: RemoteProcessRecord, ctx: ProvisionerContext): Promise<string> {
    const result = await machine.execute(stopScript(record.pid, record.startTime, this.stopTimeoutMs), {
      timeout: this.stopTimeoutMs + 10_000,
      reject: false,
    });
    if (result.exitCode === 3)
      throw new ProcessError(
        `Process group ${record.pid} on ${record.machine} is still there 5 s after SIGKILL; it may be stuck in the kernel (state D). ` +
          `Look with \`ps -eo pid,pgid,stat,wchan,cmd\` there and run the teardown again once it is gone.`,
        { pid: record.pid },
      );
    if (result.exitCode !== 0) throw new ProcessError(`Stopping pid ${record.pid} on ${record.machine} failed: ${result.stderr.trim()}`, { pid: record.pid });
    const outcome = result.stdout.trim();
    if (outcome === 'killed') ctx.logger.warn(`pid ${record.pid} on ${record.machine} ignored SIGTERM for ${this.stopTimeoutMs} ms; killed its process group`);
    return outcome;
  }

  async shutdown(ctx: ProvisionerContext): Promise<boolean> {
    const targets = Object.values(this.processes);
    const results = await fanOut(targets, 8, (r) => r.machine, async (record) => {
      const info = this.machines.find((m) => m.name === record.machine);
      if (info) {
        try {
          await withMachine(info, ctx, { keyPaths: this.keyPaths, connectDeadlineMs: SHUTDOWN_CONNECT_MS }, async (machine) => {
            const outcome = await this.stopOn(machine, record, ctx);
            await machine.execute(removeLogScript(record.logFile), { timeout: 5_000, reject: false });
            ctx.logger.info(`pid ${record.pid} on ${record.machine}: ${outcome}`);
          });
        } catch (error) {
          if (!(error instanceof MachineConnectError || error instanceof HostKeyMismatchError)) throw error;
          // Powered off, or its namespace is gone: so is the process (a machine that exists again later is not ours to touch).
          ctx.logger.warn(`${record.machine} (${info.address}) is unreachable, so its pid ${record.pid} counts as gone: ${describeError(error)}`);
        }
      }
      delete this.processes[record.machine];
    });
    throwIfFailed('Stop service', results);
    return true;
  }

  /** Health on reuse: on every machine its port answers (from here) and our pid runs with the same start time (over SSH). */
  async check(ctx: ProvisionerContext): Promise<CheckResult> {
    const records = Object.values(this.processes);
    if (records.length === 0) return { ok: false, reason: 'it records no running process' };
    const problems = await Promise.all(
      records.map(async (r): Promise<string | undefined> => {
        if (!(await portAnswers(r.host, r.port, 1_000))) return `${r.machine}: ${r.address} does not accept connections`;
        const info = this.machines.find((m) => m.name === r.machine);
        if (!info) return `${r.machine}: not among its machines`;
        // A netns machine shares this kernel (and its pid space): /proc answers without an SSH handshake.
        if (info.driverUrl.startsWith('netns'))
          return isSameProcessAlive(r.pid, r.startTime) ? undefined : `${r.machine}: pid ${r.pid} is gone (something else answers ${r.address})`;
        try {
          const alive = await withMachine(info, ctx, { keyPaths: this.keyPaths, connectDeadlineMs: 2_000 }, (machine) =>
            remoteAlive(machine, r.pid, r.startTime, ctx.signal),
          );
          return alive ? undefined : `${r.machine}: pid ${r.pid} is gone (something else answers ${r.address})`;
        } catch (error) {
          return `${r.machine}: ${describeError(error)}`;
        }
      }),
    );
    const failed = problems.filter((p): p is string => p !== undefined);
    return failed.length === 0 ? { ok: true } : { ok: false, reason: failed.join('; ') };
  }

  async plan(ctx: ProvisionerContext): Promise<void> {
    await ctx.actions.performAction(`start \`${this.command}\` on each machine over SSH, listening on port ${this.port}`, () => undefined);
  }

  report(): string[] {
    const lines = [`\`${this.command}\`${this.user ? ` as ${this.user}` : ''}`];
    const records = Object.values(this.processes);
    if (records.length === 0) return [...lines.map((l) => `${l} (not running)`)];
    for (const r of records) lines.push(`${r.machine}: pid ${r.pid} ${r.status}, ${r.address}`);
    return lines;
  }
}

/**
 * The machines to run on: the input's (a Machines or RemoteService step before
 * this one), or, as a group's first step, those of its one dependency that has machines.
 */
function machinesFrom(input: unknown, dependencies: Readonly<Record<string, unknown>>): MachineInfo[] {
  const of = (value: unknown) => (value !== null && typeof value === 'object' && Array.isArray((value as MachinesOutput).machines) ? (value as MachinesOutput).machines : undefined);
  const own = of(input);
  if (own) return own;
  const found = Object.entries(dependencies).filter(([, output]) => of(output) !== undefined);
  if (input == null && found.length === 1) return of(found[0]![1])!;
  throw new ConfigError(
    `RemoteService: expected its input to be a Machines or RemoteService output ({ machines: [...] }), got ${JSON.stringify(input)}` +
      (input == null
        ? `; as a group's first step it takes the machines of its one dependency that has them, but ${found.length === 0 ? 'none has' : `${found.map(([n]) => n).join(', ')} have`}. Put it after a Machines step, or depend on exactly one such group.`
        : '.'),
  );
}

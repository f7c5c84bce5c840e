import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { spawnDetached } from '../os/detached.js';
import { ConfigError, NotReadyError } from '../errors.js';
import { withReleasers } from '../os/releasers.js';
import type { CheckResult, Provisioner, ProvisionerContext } from './contract.js';
import { freePort, portAnswers, waitForPort } from '../os/net.js';
import { isSameProcessAlive, processStartTime } from '../os/process-info.js';
import { stopProcessGroup } from '../os/process-tree.js';
import { render, renderAll, renderEnv } from './template.js';

export interface LocalServiceOptions {
  /** Executable to run. `{{...}}` placeholders are filled at startup (see README). */
  command: string;
  args?: string[];
  cwd?: string;
  env?: Record<string, string>;
  /** Port it listens on, or `'auto'` to pick a free one (available as `{{port}}`). */
  port: number | 'auto';
  host?: string;
  /** How long to wait for the port to answer (default 30 s). */
  readyTimeoutMs?: number;
  /** How long SIGTERM gets before the process group is killed (default 5 s). */
  stopTimeoutMs?: number;
}

export interface LocalServiceOutput {
  host: string;
  port: number;
  /** `host:port` */
  address: string;
  pid: number;
}

/**
 * Starts a long-running local process in its own process group and waits
 * until its TCP port answers. Its pid, start time and port are in the
 * snapshot, so a teardown in a later process stops exactly that process.
 */
export class LocalService implements Provisioner<unknown, LocalServiceOutput> {
  name = '';
  command: string;
  args: string[];
  cwd: string | undefined;
  env: Record<string, string>;
  host: string;
  port: number | 'auto';
  readyTimeoutMs: number;
  stopTimeoutMs: number;
  /** Set once started; what shutdown and report work from. */
  pid: number | undefined;
  startTime: number | undefined;
  boundPort: number | undefined;
  logFile: string | undefined;
  resolvedArgs: string[] | undefined;

  constructor(options: LocalServiceOptions) {
    if (typeof options?.command !== 'string' || options.command === '') {
      throw new ConfigError(`LocalService: expected \`command\` to be a non-empty string, got ${JSON.stringify(options?.command)}.`);
    }
    if (options.port !== 'auto' && !(Number.isInteger(options.port) && options.port > 0 && options.port < 65536)) {
      throw new ConfigError(`LocalService: expected \`port\` to be 'auto' or a port number, got ${JSON.stringify(options.port)}.`);
    }
    this.command = options.command;
    this.args = options.args ?? [];
    this.cwd = options.cwd;
    this.env = options.env ?? {};
    this.host = options.host ?? '127.0.0.1';
    this.port = options.port;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
  }

  async startup(input: unknown, ctx: ProvisionerContext): Promise<LocalServiceOutput> {
    // Resumed after a crash while it was starting: adopt the process we already started.
    const adopted = this.pid !== undefined && isSameProcessAlive(this.pid, this.startTime);
    let exited: string | undefined;
    // Until its port answers, the process is ours to stop: also when the checkpoint that names it fails.
    return withReleasers(async (owned) => {
      if (!adopted) {
        this.boundPort ??= this.port === 'auto' ? await freePort(this.host) : this.port;
        const vars = { input, dependencies: ctx.dependencies, port: this.boundPort, host: this.host };
        const command = render(this.command, vars, 'command');
        const args = renderAll(this.args, vars, 'args');
        this.resolvedArgs = args;
        const env = renderEnv(this.env, vars, 'env');
        await mkdir(ctx.dataDir, { recursive: true });
        this.logFile = join(ctx.dataDir, `${ctx.group}.${ctx.step + 1}.log`);
        // Its own process group (it outlives us and is stopped as a whole); the log is truncated, so a retry's error tail shows only its own output.
        const child = await spawnDetached(command, args, { ...(this.cwd ? { cwd: this.cwd } : {}), env, logFile: this.logFile });
        this.pid = child.pid;
        this.startTime = processStartTime(child.pid);
        void child.exit.then((result) => {
          exited = `${command} exited with ${result.signal ?? `code ${result.exitCode}`} before ${this.host}:${this.boundPort} answered`;
        });
        owned.defer(() => stopProcessGroup(child.pid, this.startTime, { graceMs: this.stopTimeoutMs }));
        await ctx.checkpoint(); // the pid is on disk before we wait on anything
        ctx.logger.info(`started ${command} (pid ${this.pid}), waiting for ${this.host}:${this.boundPort}`);
      }
      const pid = this.pid!;
      if (adopted) owned.defer(() => stopProcessGroup(pid, this.startTime, { graceMs: this.stopTimeoutMs }));
      try {
        await waitForPort(this.host, this.boundPort!, {
          timeoutMs: this.readyTimeoutMs,
          signal: ctx.signal,
          // Our own child reports its exit (with its code) through `exited`; /proc
          // would show it gone a moment earlier, without the code.
          stillAlive: () => exited ?? (adopted && !isSameProcessAlive(pid, this.startTime) ? `process ${pid} is gone` : undefined),
        });
      } catch (error) {
        await owned.release(); // stopped first, so the log tail is complete
        if (!(error instanceof NotReadyError)) throw error; // cancelled: the step reports the abort reason
        const tail = await logTail(this.logFile);
        const output = tail ? `\nlast output of ${this.logFile}:\n${tail}` : '';
        throw new NotReadyError(`${error.message}${output}`, {
          host: this.host,
          port: this.boundPort!,
          group: ctx.group,
          step: ctx.step,
          cause: error,
        });
      }
      return { host: this.host, port: this.boundPort!, address: `${this.host}:${this.boundPort}`, pid };
    });
  }

  async shutdown(ctx: ProvisionerContext): Promise<boolean> {
    if (this.pid !== undefined) {
      const { killed } = await stopProcessGroup(this.pid, this.startTime, { graceMs: this.stopTimeoutMs, signal: ctx.signal });
      if (killed) ctx.logger.warn(`pid ${this.pid} ignored SIGTERM for ${this.stopTimeoutMs} ms; killed its process group`);
    }
    if (this.logFile) await rm(this.logFile, { force: true });
    this.pid = undefined;
    this.startTime = undefined;
    return true;
  }

  /** Health on reuse: our process (same pid and start time) still runs and its port answers. */
  async check(): Promise<CheckResult> {
    if (this.pid === undefined || this.boundPort === undefined) return { ok: false, reason: 'it records no running process' };
    if (!isSameProcessAlive(this.pid, this.startTime)) return { ok: false, reason: `pid ${this.pid} is gone` };
    if (!(await portAnswers(this.host, this.boundPort, 1_000)))
      return { ok: false, reason: `pid ${this.pid} runs but ${this.host}:${this.boundPort} does not accept connections` };
    return { ok: true };
  }

  report(): string[] {
    const cmd = [this.command, ...(this.resolvedArgs ?? this.args)].map(quote).join(' ');
    if (this.pid === undefined) return [`${cmd} (not running)`];
    const state = isSameProcessAlive(this.pid, this.startTime) ? 'running' : 'gone';
    return [`${cmd}`, `pid ${this.pid} ${state}, ${this.host}:${this.boundPort}`];
  }
}

// For report lines that can be pasted into a shell.
function quote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

async function logTail(file: string | undefined): Promise<string> {
  if (!file) return '';
  const text = await readFile(file, 'utf8').catch(() => '');
  return text.split('\n').slice(-20).join('\n').trim();
}

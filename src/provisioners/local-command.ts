import { execa } from 'execa';
import { ConfigError } from '../errors.js';
import type { Provisioner, ProvisionerContext } from './contract.js';
import { render, renderAll, renderEnv } from './template.js';

export interface CommandSpec {
  command: string;
  args?: string[];
}

export interface LocalCommandOptions extends CommandSpec {
  cwd?: string;
  env?: Record<string, string>;
  /** Kill the command if it runs longer (default 10 minutes). */
  timeoutMs?: number;
  /** Run at shutdown to undo what the command did. */
  undo?: CommandSpec;
}

export interface LocalCommandOutput {
  exitCode: number;
  stdout: string;
}

/**
 * Runs a command to completion with execa; a non-zero exit fails the step.
 * Placeholders such as `{{input.address}}` or `{{dependencies.db.port}}` are
 * filled at startup.
 */
export class LocalCommand implements Provisioner<unknown, LocalCommandOutput> {
  name = '';
  command: string;
  args: string[];
  cwd: string | undefined;
  env: Record<string, string>;
  timeoutMs: number;
  undo: CommandSpec | undefined;
  /** Recorded at startup so the undo command sees the same values after a restart. */
  vars: Record<string, unknown> | undefined;
  lastExitCode: number | undefined;

  constructor(options: LocalCommandOptions) {
    if (typeof options?.command !== 'string' || options.command === '') {
      throw new ConfigError(`LocalCommand: expected \`command\` to be a non-empty string, got ${JSON.stringify(options?.command)}.`);
    }
    this.command = options.command;
    this.args = options.args ?? [];
    this.cwd = options.cwd;
    this.env = options.env ?? {};
    this.timeoutMs = options.timeoutMs ?? 600_000;
    this.undo = options.undo;
  }

  async startup(input: unknown, ctx: ProvisionerContext): Promise<LocalCommandOutput> {
    this.vars = { input, dependencies: { ...ctx.dependencies } };
    const result = await run(this, { command: this.command, args: this.args }, ctx);
    this.lastExitCode = result.exitCode;
    return result;
  }

  async shutdown(ctx: ProvisionerContext): Promise<boolean> {
    if (this.undo) await run(this, this.undo, ctx);
    return true;
  }

  report(): string[] {
    const line = [this.command, ...this.args].join(' ');
    return [this.lastExitCode === undefined ? `${line} (not run)` : `${line} (exit ${this.lastExitCode})`];
  }
}

async function run(self: LocalCommand, spec: CommandSpec, ctx: ProvisionerContext): Promise<LocalCommandOutput> {
  const vars = self.vars ?? {};
  const result = await execa(render(spec.command, vars, 'command'), renderAll(spec.args ?? [], vars, 'args'), {
    ...(self.cwd !== undefined ? { cwd: self.cwd } : {}),
    env: renderEnv(self.env, vars, 'env'),
    timeout: self.timeoutMs,
    cancelSignal: ctx.signal,
    forceKillAfterDelay: 5_000,
    stdin: 'ignore',
  });
  return { exitCode: result.exitCode ?? 0, stdout: result.stdout };
}

import type { Logger } from '../logger.js';
import type { PluginResult, PluginTask, SshAuth } from './task.js';

/** Where the runner puts the checkpoint hook on a plugin instance. */
export const CHECKPOINT: unique symbol = Symbol('groundwork.plugin.checkpoint');

/** What a plugin method may return instead of (or besides) writing `this.result`. */
export type MethodReturn = Partial<PluginResult> | void;
type Returns = Promise<MethodReturn> | MethodReturn;

/**
 * Base of every class plugin. The runner sets `task`, `result`, `log`, `signal`
 * before it calls the method for the task, on a fresh instance per task.
 */
export abstract class Plugin {
  /** The whole task (Loom's `@task`). */
  task!: PluginTask;
  /** What the plugin writes back; a method may also return (part of) it. */
  result!: PluginResult;
  log!: Logger;
  /** Aborted when the run is cancelled: pass it to whatever takes long. */
  signal!: AbortSignal;
  /** Set by the runner (a symbol, so it cannot clash with a plugin's own members). */
  [CHECKPOINT]: ((partial: PluginResult) => Promise<void>) | undefined;

  /** Persist this.result now (durably), e.g. a provider id obtained half-way through CREATE. */
  async checkpoint(): Promise<void> {
    await this[CHECKPOINT]?.(structuredClone(this.result));
  }
}

/** Requests (create), readies (confirm) and destroys (delete) a machine. */
export abstract class Provider extends Plugin {
  abstract create(inputmap: Record<string, unknown>): Returns;
  abstract confirm(inputmap: Record<string, unknown>): Returns;
  abstract delete(inputmap: Record<string, unknown>): Returns;
}

/** Implements a service on a node: bootstrap once per node, then the service's actions. */
export abstract class Automator extends Plugin {
  abstract bootstrap(sshauth: SshAuth): Returns;
  abstract install(sshauth: SshAuth, script: string | undefined, data: string | undefined): Returns;
  abstract configure(sshauth: SshAuth, script: string | undefined, data: string | undefined): Returns;
  abstract init(sshauth: SshAuth, script: string | undefined, data: string | undefined): Returns;
  abstract start(sshauth: SshAuth, script: string | undefined, data: string | undefined): Returns;
  abstract stop(sshauth: SshAuth, script: string | undefined, data: string | undefined): Returns;
  abstract remove(sshauth: SshAuth, script: string | undefined, data: string | undefined): Returns;
}

export const PROVIDER_METHODS = ['create', 'confirm', 'delete'] as const;
export const AUTOMATOR_METHODS = ['bootstrap', 'install', 'configure', 'init', 'start', 'stop', 'remove'] as const;

export type ProviderClass = new () => Provider;
export type AutomatorClass = new () => Automator;

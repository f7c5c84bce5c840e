import type { Logger } from '../logger.js';

/**
 * How drivers report what they do (chef-provisioning's ActionHandler).
 * In why-run mode `performAction` does not call `fn`; it records "would <description>".
 */
export class ActionHandler {
  readonly whyRun: boolean;
  readonly #logger: Logger;
  readonly #prefix: string;
  /** Every action described, in order ("would …" in why-run mode). Shared by `forMachine` children. */
  readonly actions: string[];

  constructor(options: { logger: Logger; whyRun?: boolean; prefix?: string; actions?: string[] }) {
    this.#logger = options.logger;
    this.whyRun = options.whyRun ?? false;
    this.#prefix = options.prefix ?? '';
    this.actions = options.actions ?? [];
  }

  /** A handler whose lines are prefixed with the machine's name. */
  forMachine(name: string): ActionHandler {
    return new ActionHandler({ logger: this.#logger, whyRun: this.whyRun, prefix: `[${name}] `, actions: this.actions });
  }

  /** Perform (or, in why-run mode, only describe) one change. Returns `fn`'s result, or undefined in why-run mode. */
  async performAction<T>(description: string, fn: () => T | Promise<T>): Promise<T | undefined> {
    if (this.whyRun) {
      this.#record(`would ${description}`);
      return undefined;
    }
    this.#record(description);
    return await fn();
  }

  reportProgress(message: string): void {
    this.#logger.info(`${this.#prefix}${message}`);
  }

  #record(line: string): void {
    this.actions.push(`${this.#prefix}${line}`);
    this.#logger.info(`${this.#prefix}${line}`);
  }
}

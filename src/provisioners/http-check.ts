import { setTimeout as delay } from 'node:timers/promises';
import { CheckFailedError } from '../errors.js';
import type { Provisioner, ProvisionerContext } from './contract.js';
import { render } from './template.js';

export interface HttpCheckOptions {
  /** URL to GET; placeholders such as `http://{{input.address}}/` are filled at startup. */
  url: string;
  expectStatus?: number;
  /** Text the body must contain. */
  expectBody?: string;
  /** How long to keep trying (default 10 s). */
  timeoutMs?: number;
}

/**
 * Checks that an HTTP endpoint answers as expected, retrying until a
 * deadline. Passes its input on, with the checked URL added, so it can sit
 * at the end of a pipeline without hiding what came before.
 */
export class HttpCheck implements Provisioner<unknown, Record<string, unknown>> {
  name = '';
  url: string;
  expectStatus: number;
  expectBody: string | undefined;
  timeoutMs: number;
  checkedUrl: string | undefined;
  lastResult: string | undefined;

  constructor(options: HttpCheckOptions) {
    this.url = options.url;
    this.expectStatus = options.expectStatus ?? 200;
    this.expectBody = options.expectBody;
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async startup(input: unknown, ctx: ProvisionerContext): Promise<Record<string, unknown>> {
    const url = render(this.url, { input, dependencies: ctx.dependencies }, 'url');
    this.checkedUrl = url;
    const deadline = Date.now() + this.timeoutMs;
    let problem = '';
    for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
      try {
        const response = await fetch(url, { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(5_000)]) });
        const body = await response.text();
        this.lastResult = `${response.status} ${JSON.stringify(body.slice(0, 80))}`;
        if (response.status === this.expectStatus && (this.expectBody === undefined || body.includes(this.expectBody))) {
          return { ...(typeof input === 'object' && input !== null ? input : { input }), url, body };
        }
        problem = `got ${this.lastResult}, expected ${this.expectStatus}${this.expectBody === undefined ? '' : ` with ${JSON.stringify(this.expectBody)}`}`;
      } catch (error) {
        ctx.signal.throwIfAborted();
        problem = (error as Error).message;
      }
      if (Date.now() >= deadline) {
        throw new CheckFailedError(
          `GET ${url}: ${problem} (gave up after ${this.timeoutMs} ms); check that the service answers there, or raise timeoutMs.`,
          {
            url,
            group: ctx.group,
            step: ctx.step,
          },
        );
      }
      await delay(wait, undefined, { signal: ctx.signal });
    }
  }

  shutdown(): boolean {
    return true;
  }

  report(): string[] {
    return [this.checkedUrl ? `GET ${this.checkedUrl} → ${this.lastResult ?? 'no answer'}` : `GET ${this.url} (not checked)`];
  }
}

// A group's last step whose output is a plain URL string, so that
// `groundwork output lb` prints just the URL (`curl "$(groundwork output lb)"`).
// It first waits until the URL answers 200 end to end, so tests never race the LB.
import { setTimeout as delay } from 'node:timers/promises';
import { CheckFailedError, ConfigError } from '../../../src/errors.js';
import type { Provisioner, ProvisionerContext } from '../../../src/index.js';
import { registerProvisioner } from '../../../src/index.js';

interface ServiceInput {
  services: Array<{ address: string }>;
}

export interface ServiceUrlOptions {
  /** Path appended to the first service's address (default `/`). */
  path?: string;
  /** How long the URL gets to answer 200 (default 10 s). */
  timeoutMs?: number;
}

export class ServiceUrl implements Provisioner<ServiceInput, string> {
  name = '';
  path: string;
  timeoutMs: number;
  url: string | undefined;

  constructor(options: ServiceUrlOptions = {}) {
    if (options.path !== undefined && !options.path.startsWith('/'))
      throw new ConfigError(`ServiceUrl: expected \`path\` to start with "/", got ${JSON.stringify(options.path)}.`);
    this.path = options.path ?? '/';
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async startup(input: ServiceInput, ctx: ProvisionerContext): Promise<string> {
    const address = input?.services?.[0]?.address;
    if (typeof address !== 'string')
      throw new ConfigError(`ServiceUrl: expected its input to be a RemoteService output, got ${JSON.stringify(input)}.`);
    const url = `http://${address}${this.path}`;
    const deadline = Date.now() + this.timeoutMs;
    let last = '';
    for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
      last = await probe(url, ctx.signal);
      if (last === '') break;
      if (Date.now() > deadline)
        throw new CheckFailedError(
          `ServiceUrl: ${url} did not answer 200 within ${this.timeoutMs} ms (last: ${last}); see the services' logs.`,
          {
            url,
          },
        );
      await delay(wait, undefined, { signal: ctx.signal });
    }
    this.url = url;
    return url;
  }

  /** Health on reuse: the URL still answers 200. */
  async check(ctx: ProvisionerContext): Promise<{ ok: true } | { ok: false; reason: string }> {
    if (!this.url) return { ok: false, reason: 'no URL recorded' };
    const why = await probe(this.url, ctx.signal);
    return why === '' ? { ok: true } : { ok: false, reason: `${this.url}: ${why}` };
  }

  shutdown(): boolean {
    this.url = undefined;
    return true;
  }

  report(): string[] {
    return [this.url ?? 'no URL yet'];
  }
}
registerProvisioner(ServiceUrl);

/** '' when the URL answers 200, else what went wrong. */
async function probe(url: string, signal: AbortSignal): Promise<string> {
  try {
    const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(1_000)]) });
    await response.arrayBuffer();
    return response.status === 200 ? '' : `status ${response.status}`;
  } catch (error) {
    if (signal.aborted) throw error;
    return (error as Error).message;
  }
}

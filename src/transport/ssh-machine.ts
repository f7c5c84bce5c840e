import type { Client } from 'ssh2';
import { describeError, MachineConnectError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import type { ExecuteOptions, ExecuteResult, Machine, TransferOptions } from '../machines/machine.js';
import { execOnChannel } from './exec.js';
import type { SshLink } from './link.js';
import { withSftp } from './sftp.js';

const CLOSE_GRACE_MS = 2_000;

export interface SshMachineInit {
  name: string;
  host: string;
  port: number;
  /** Fingerprint of the host key seen at connect (`SHA256:…`). */
  hostKey: string;
  /** An ssh2 Client that is ready (authenticated). */
  client: Client;
  logger?: Logger;
}

/**
 * A machine reached over one SSH connection (made by `connectSsh`). The
 * connection has an error listener for its whole life: a reset or keepalive
 * timeout fails the commands and transfers in flight with the cause, and
 * later ones at once, instead of crashing the process.
 */
export class SshMachine implements Machine {
  readonly name: string;
  readonly address: string;
  readonly port: number;
  /** The host key fingerprint seen at connect; record it in the machine's reference to pin it. */
  readonly hostKey: string;
  readonly #client: Client;
  readonly #logger: Logger;
  readonly #listeners = new Set<(error: MachineConnectError) => void>();
  readonly #background = new Set<Promise<void>>();
  #lastError: Error | undefined;
  #gone: MachineConnectError | undefined;
  #closing: Promise<void> | undefined;
  readonly #link: SshLink;

  constructor(init: SshMachineInit) {
    this.name = init.name;
    this.address = init.host;
    this.port = init.port;
    this.hostKey = init.hostKey;
    this.#client = init.client;
    this.#logger = init.logger ?? silentLogger;
    this.#client.on('error', (error: Error) => {
      this.#lastError = error;
      this.#logger.warn(`SSH connection to ${this.name} (${this.#where}): ${error.message}`);
    });
    this.#client.once('close', () => this.#markGone());
    this.#link = {
      machine: this.name,
      client: this.#client,
      gone: () => this.#gone,
      onGone: (listener) => {
        this.#listeners.add(listener);
        return () => this.#listeners.delete(listener);
      },
      track: (work) => {
        const settled = work.then(
          () => {},
          () => {},
        );
        this.#background.add(settled);
        void settled.then(() => this.#background.delete(settled));
      },
    };
  }

  get #where(): string {
    return `${this.address}:${this.port}`;
  }

  #markGone(): void {
    if (this.#gone) return;
    this.#gone =
      this.#closing !== undefined
        ? new MachineConnectError(`The SSH connection to ${this.name} (${this.#where}) was closed; connect again to run more commands.`, {
            machine: this.name,
            host: this.address,
            port: this.port,
          })
        : new MachineConnectError(
            `The SSH connection to ${this.name} (${this.#where}) was lost${this.#lastError ? `: ${describeError(this.#lastError)}` : ''}. ` +
              `Check that the machine is up and reachable, then connect again.`,
            { machine: this.name, host: this.address, port: this.port, cause: this.#lastError },
          );
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener(this.#gone);
  }

  /** True once the connection was closed or lost. */
  get closed(): boolean {
    return this.#gone !== undefined;
  }

  execute(command: string, options?: ExecuteOptions): Promise<ExecuteResult> {
    return execOnChannel(this.#link, command, options);
  }

  uploadFile(localPath: string, remotePath: string, options: TransferOptions = {}): Promise<void> {
    return withSftp(this.#link, 'uploadFile', remotePath, options, (sftp, done) =>
      sftp.fastPut(localPath, remotePath, (e) => done(e ?? undefined)),
    );
  }

  downloadFile(remotePath: string, localPath: string, options: TransferOptions = {}): Promise<void> {
    return withSftp(this.#link, 'downloadFile', remotePath, options, (sftp, done) =>
      sftp.fastGet(remotePath, localPath, (e) => done(e ?? undefined)),
    );
  }

  writeFile(remotePath: string, content: string | Uint8Array, options: TransferOptions = {}): Promise<void> {
    const data =
      typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    return withSftp(this.#link, 'writeFile', remotePath, options, (sftp, done) =>
      sftp.writeFile(remotePath, data, (e) => done(e ?? undefined)),
    );
  }

  readFile(remotePath: string, options: TransferOptions = {}): Promise<Buffer> {
    return withSftp<Buffer>(this.#link, 'readFile', remotePath, options, (sftp, done) =>
      sftp.readFile(remotePath, (e, data) => done(e ?? undefined, data)),
    );
  }

  /** End the connection (idempotent). Commands still running fail as closed. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    // Let commands that were stopped finish stopping (each is bounded) before the connection goes.
    await Promise.allSettled(this.#background);
    await new Promise<void>((resolve) => {
      if (this.#gone) return resolve();
      const grace = setTimeout(() => this.#client.destroy(), CLOSE_GRACE_MS);
      this.#client.once('close', () => {
        clearTimeout(grace);
        resolve();
      });
      this.#client.end();
    });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

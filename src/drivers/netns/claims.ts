import { mkdir, readdir, readFile, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DriverError } from '../../errors.js';
import { writeClaimFile } from '../../os/claim-file.js';
import { ipv4Addresses } from './ip.js';
import type { Subnet } from './subnet.js';

/**
 * Address blocks are claimed with one file per block under `<driver dir>/addresses`,
 * created with O_EXCL: two allocations (in this process or another using the same
 * driver URL) never get the same block. Blocks already on a host interface
 * (another driver folder, or something else) are skipped too.
 */
export class AddressClaims {
  readonly #dir: string;

  constructor(
    readonly driverDir: string,
    readonly subnet: Subnet,
  ) {
    this.#dir = join(driverDir, 'addresses');
  }

  /** The block `namespace` already holds, if any (a resumed allocation keeps its address). */
  async held(namespace: string): Promise<number | undefined> {
    for (const entry of await readdir(this.#dir).catch(() => [] as string[])) {
      const owner = await readFile(join(this.#dir, entry), 'utf8').catch(() => '');
      if (owner === namespace) return Number(entry);
    }
    return undefined;
  }

  /** Claim the first free block for `namespace`. */
  async claim(namespace: string, signal?: AbortSignal): Promise<number> {
    const held = await this.held(namespace);
    if (held !== undefined) return held;
    await mkdir(this.#dir, { recursive: true });
    const onHost = new Set((await ipv4Addresses(undefined, signal)).map((a) => this.subnet.blockOf(a.local)));
    for (let block = 0; block < this.subnet.blocks; block++) {
      if (onHost.has(block)) continue;
      try {
        await writeClaimFile(join(this.#dir, String(block)), namespace);
        return block;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') {
          // A release removed the (then empty) folder meanwhile: make it again and retry this block.
          await mkdir(this.#dir, { recursive: true });
          block--;
        } else if (code !== 'EEXIST') throw error;
      }
    }
    throw new DriverError(
      `No free /30 address block left in ${this.subnet.cidr} for namespace ${namespace}; destroy unused machines, run \`tasks.ts reap\`, or configure a larger \`subnet\`.`,
    );
  }

  async release(namespace: string): Promise<void> {
    const held = await this.held(namespace);
    if (held !== undefined) await rm(join(this.#dir, String(held)), { force: true });
    // Leave nothing behind once the last machine is gone; a folder still in use is not empty.
    for (const dir of [this.#dir, this.driverDir]) await rmdir(dir).catch(() => {});
  }
}

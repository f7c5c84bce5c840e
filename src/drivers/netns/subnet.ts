import { ConfigError } from '../../errors.js';

/** An IPv4 subnet cut into /30 blocks: block i has the host end at .1 and the machine at .2. */
export class Subnet {
  readonly base: number;
  readonly blocks: number;

  constructor(readonly cidr: string) {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    const octets = match ? match.slice(1, 5).map(Number) : [];
    const length = match ? Number(match[5]) : NaN;
    if (!match || octets.some((o) => o > 255) || !(length >= 8 && length <= 30)) {
      throw new ConfigError(
        `netns driver: expected \`subnet\` to be an IPv4 CIDR from /8 to /30 like "10.200.0.0/16", got ${JSON.stringify(cidr)}.`,
      );
    }
    const mask = length === 0 ? 0 : (0xffffffff << (32 - length)) >>> 0;
    this.base = (toInt(octets) & mask) >>> 0;
    this.blocks = 2 ** (32 - length) / 4;
  }

  /** The host-side and machine-side addresses of block `i`. */
  block(i: number): { host: string; machine: string } {
    const start = this.base + i * 4;
    return { host: toDotted(start + 1), machine: toDotted(start + 2) };
  }

  /** The block an address falls in, or undefined if it is outside the subnet. */
  blockOf(address: string): number | undefined {
    const n = toInt(address.split('.').map(Number));
    const i = Math.floor((n - this.base) / 4);
    return i >= 0 && i < this.blocks ? i : undefined;
  }
}

function toInt(octets: number[]): number {
  return octets.reduce((n, o) => n * 256 + o, 0);
}

function toDotted(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

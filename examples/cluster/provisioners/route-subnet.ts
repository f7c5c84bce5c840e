// Routing between netns machines. The netns driver gives each machine a /30
// to the host only, so by default two machines cannot reach each other. This
// step routes the cluster's subnet through the host: a route inside each
// machine (over SSH) via its host end, and forwarding switched on for that
// machine's host-side veth only (not the host's global ip_forward, so nothing
// else on the host starts forwarding; it goes away with the veth).
import { readFile, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { ConfigError, DriverError } from '../../../src/errors.js';
import type { Provisioner, ProvisionerContext } from '../../../src/index.js';
import { registerProvisioner } from '../../../src/index.js';
import { machinesOf, onMachines, shellQuote, type WithMachines } from './on-machines.js';

export interface RouteSubnetOptions {
  /** The netns driver's subnet (every machine of the cluster is in it). */
  subnet: string;
  keyPaths?: string[];
}

export class RouteSubnet implements Provisioner<WithMachines, WithMachines> {
  name = '';
  subnet: string;
  keyPaths: string[] | undefined;
  /** Host-side interface of each machine, once routed. */
  routed: Record<string, string> = {};

  constructor(options: RouteSubnetOptions) {
    if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(options?.subnet ?? ''))
      throw new ConfigError(`RouteSubnet: expected \`subnet\` to be an IPv4 CIDR, got ${JSON.stringify(options?.subnet)}.`);
    this.subnet = options.subnet;
    this.keyPaths = options.keyPaths;
  }

  async startup(input: WithMachines, ctx: ProvisionerContext): Promise<WithMachines> {
    const machines = machinesOf(input, 'RouteSubnet');
    const hostIfs = await hostInterfaces(ctx.signal);
    for (const m of machines) {
      if (!m.driverUrl.startsWith('netns:'))
        throw new ConfigError(`RouteSubnet: machine ${m.name} is on ${m.driverUrl}; it routes netns machines only.`);
      const dev = hostIfs.get(hostEnd(m.address));
      if (!dev) throw new DriverError(`RouteSubnet: no host interface has ${hostEnd(m.address)} (the host end of ${m.name}).`);
      await writeFile(forwardingFile(dev), '1\n');
      this.routed[m.name] = dev;
    }
    await onMachines(machines, ctx, { keyPaths: this.keyPaths }, (machine, info) =>
      machine.execute(`ip route replace ${shellQuote(this.subnet)} via ${hostEnd(info.address)}`, { signal: ctx.signal }),
    );
    return input;
  }

  /** Still forwarding on each machine's veth (gone with a destroyed machine). */
  async check(): Promise<{ ok: true } | { ok: false; reason: string }> {
    for (const [machine, dev] of Object.entries(this.routed)) {
      const value = await readFile(forwardingFile(dev), 'utf8').catch(() => 'missing');
      if (value.trim() !== '1') return { ok: false, reason: `forwarding is off on ${dev} (machine ${machine}): ${value.trim()}` };
    }
    return { ok: true };
  }

  // The routes and the veth go with the machine.
  shutdown(): boolean {
    this.routed = {};
    return true;
  }

  report(): string[] {
    const lines = Object.entries(this.routed).map(([m, dev]) => `${m}: ${this.subnet} via the host (${dev} forwarding)`);
    return lines.length > 0 ? lines : [`${this.subnet}: not routed yet`];
  }
}
registerProvisioner(RouteSubnet);

// The netns driver's /30 blocks: the host end is the address before the machine's.
function hostEnd(address: string): string {
  const octets = address.split('.').map(Number);
  octets[3] = octets[3]! - 1;
  return octets.join('.');
}

function forwardingFile(dev: string): string {
  return `/proc/sys/net/ipv4/conf/${dev}/forwarding`;
}

async function hostInterfaces(signal: AbortSignal): Promise<Map<string, string>> {
  const { stdout } = await execa('ip', ['-j', '-4', 'addr', 'show'], { cancelSignal: signal });
  const links = JSON.parse(stdout) as Array<{ ifname: string; addr_info?: Array<{ local: string }> }>;
  return new Map(links.flatMap((l) => (l.addr_info ?? []).map((a) => [a.local, l.ifname] as const)));
}

// Routing between netns machines. The netns driver gives each machine a /30
// to the host only, so by default two machines cannot reach each other. This
// step routes the cluster's subnet through the host: a route inside each
// machine via its host end, and forwarding switched on for that machine's
// host-side veth only (not the host's global ip_forward, so nothing else on
// the host starts forwarding; it goes away with the veth). It is the network's
// wiring, done from the host like the driver's own (`ip -n <namespace>`, found
// by the veth's alias), not a command on the machine: one SSH login fewer per
// machine on the cold path.
import { readFile, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { ConfigError, DriverError } from '../../../src/errors.js';
import type { Provisioner, ProvisionerContext } from '../../../src/index.js';
import { registerProvisioner } from '../../../src/index.js';
import { machinesOf, type WithMachines } from './on-machines.js';

export interface RouteSubnetOptions {
  /** The netns driver's subnet (every machine of the cluster is in it). */
  subnet: string;
}

export class RouteSubnet implements Provisioner<WithMachines, WithMachines> {
  name = '';
  subnet: string;
  /** Host-side interface of each machine, once routed. */
  routed: Record<string, string> = {};

  constructor(options: RouteSubnetOptions) {
    if (!/^\d+\.\d+\.\d+\.\d+\/\d+$/.test(options?.subnet ?? ''))
      throw new ConfigError(`RouteSubnet: expected \`subnet\` to be an IPv4 CIDR, got ${JSON.stringify(options?.subnet)}.`);
    this.subnet = options.subnet;
  }

  async startup(input: WithMachines, ctx: ProvisionerContext): Promise<WithMachines> {
    const machines = machinesOf(input, 'RouteSubnet');
    const hostIfs = await hostInterfaces(ctx.signal);
    for (const m of machines) {
      if (!m.driverUrl.startsWith('netns:'))
        throw new ConfigError(`RouteSubnet: machine ${m.name} is on ${m.driverUrl}; it routes netns machines only.`);
      const dev = hostIfs.get(hostEnd(m.address));
      if (!dev?.alias)
        throw new DriverError(`RouteSubnet: no netns veth on the host has ${hostEnd(m.address)} (the host end of ${m.name}).`);
      await writeFile(forwardingFile(dev.name), '1\n');
      await execa('ip', ['-n', dev.alias, 'route', 'replace', this.subnet, 'via', hostEnd(m.address)], { cancelSignal: ctx.signal });
      this.routed[m.name] = dev.name;
    }
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

/** Host interfaces by IPv4 address, with their alias (the netns driver sets it to the namespace's name). */
async function hostInterfaces(signal: AbortSignal): Promise<Map<string, { name: string; alias: string | undefined }>> {
  const ip = async (what: string) => JSON.parse((await execa('ip', ['-j', what, 'show'], { cancelSignal: signal })).stdout) as HostLink[];
  const [addrs, links] = await Promise.all([ip('addr'), ip('link')]);
  const alias = new Map(links.map((l) => [l.ifname, l.ifalias]));
  return new Map(addrs.flatMap((l) => (l.addr_info ?? []).map((a) => [a.local, { name: l.ifname, alias: alias.get(l.ifname) }] as const)));
}

interface HostLink {
  ifname: string;
  ifalias?: string;
  addr_info?: Array<{ local: string }>;
}

// powerOff of netns machines (like a power cut) and what a teardown does afterwards.
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Machines, powerOff, RemoteService, Scheduler, type Logger, type RemoteServiceOutput } from '../../src/index.js';
import { fixture } from '../helpers/paths.js';
import { hostLinks, keyFolder, namespaces, netnsAvailable, pidsIn, processesUsing, removeNamespacesWithPrefix, uniquePrefix } from '../helpers/netns.js';
import { isRunning } from '../helpers/wait.js';

const prefix = uniquePrefix();
const SUBNET = '10.247.0.0/16';
const echo = `${process.execPath} ${fixture('remote/echo-server.cjs')} {{machine.address}} {{port}} {{machine.name}}`;

/** 'answers', or the connect error's code. */
function probe(address: string): Promise<string> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host: host!, port: Number(port) });
    socket.setTimeout(1_000, () => (socket.destroy(), resolve('timeout')));
    socket.once('connect', () => (socket.destroy(), resolve('answers')));
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
  });
}

describe('powerOff', () => {
  it('refuses machines it cannot power off, naming why', async () => {
    await expect(powerOff({ name: 'box', driverUrl: 'ssh:/etc/hosts.json' })).rejects.toThrow(/only netns machines can be powered off/);
    await expect(powerOff({ name: 'box', driverUrl: 'netns:/x' })).rejects.toThrow(/names no namespace/);
    await expect(powerOff({ name: 'box', driverUrl: 'netns:/x', namespace: 'gw-none' }, { mode: 'unplug' as 'kill' })).rejects.toThrow(
      /expected `mode` to be 'kill' or 'link-down', got "unplug"/,
    );
  });

  it.runIf(netnsAvailable)(
    'kills every process of a netns machine or takes its link down; RemoteService shutdown and teardown still remove everything (skipped unless root with sshd, or CI)',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'gw-poweroff-'));
      const logs: string[] = [];
      const logger: Logger = { debug() {}, info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) };
      const driverDir = join(dir, 'netns');
      const s = await Scheduler.open({ stateFile: join(dir, 'state.json'), logger });
      try {
        const keys = await keyFolder(dir, 'demo');
        await s.schedule('nodes', [
          new Machines({ driver: `netns:${driverDir}`, driverConfig: { prefix, subnet: SUBNET }, machines: ['a1', 'a2'], keyName: 'demo', keyPaths: [keys] }),
          new RemoteService({ command: echo, port: 7400, keyPaths: [keys] }),
        ]);
        const summary = await s.run();
        expect(summary.ok, JSON.stringify(summary.groups)).toBe(true);
        const { machines, services } = s.output('nodes') as RemoteServiceOutput;
        const [a1, a2] = [machines.find((m) => m.name === 'a1')!, machines.find((m) => m.name === 'a2')!];
        const [s1, s2] = [services.find((x) => x.machine === 'a1')!, services.find((x) => x.machine === 'a2')!];
        expect(a1.namespace).toMatch(new RegExp(`^${prefix}-[0-9a-f]{8}-a1$`));

        await powerOff(a1); // default: kill
        expect(await pidsIn(a1.namespace!)).toEqual([]);
        expect(isRunning(s1.pid)).toBe(false);
        expect(await probe(s1.address)).not.toBe('answers');
        expect(await probe(s2.address)).toBe('answers'); // the other node is untouched

        await powerOff(a2, { mode: 'link-down' });
        expect(isRunning(s2.pid)).toBe(true); // still running, but cut off
        expect(await probe(s2.address)).not.toBe('answers');

        const down = await s.teardown();
        expect(down.ok, JSON.stringify(down)).toBe(true);
        const said = logs.join('\n');
        expect(said).toMatch(/a1 \(10\.247\.\d+\.\d+\) is unreachable, so its pid \d+ counts as gone/);
        expect(said).toMatch(/a2 \(10\.247\.\d+\.\d+\) is unreachable, so its pid \d+ counts as gone/);
        expect(isRunning(s2.pid)).toBe(false); // went with its namespace
        expect(existsSync(join(driverDir, 'addresses')) ? readdirSync(join(driverDir, 'addresses')) : []).toEqual([]); // claims released
      } finally {
        await s.close();
        await removeNamespacesWithPrefix(prefix);
        await rm(dir, { recursive: true, force: true });
      }
      expect((await namespaces()).filter((n) => n.startsWith(`${prefix}-`))).toEqual([]);
      expect((await hostLinks()).filter((l) => l.ifalias?.startsWith(`${prefix}-`))).toEqual([]);
      expect(processesUsing(driverDir)).toEqual([]);
    },
    60_000,
  );
});

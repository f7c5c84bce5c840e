// A crash in the middle of bringing the cluster up: the provisioning process is
// SIGKILLed while `app` is being provisioned (its service started on a node and
// recorded, not yet answering); the next run adopts what exists and starts
// nothing twice; the cluster works; teardown leaves nothing behind. Its own
// cluster (state file and subnet), beside the suite's.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { execa } from 'execa';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { FOLDERS_ROOT } from '../provisioners/machine-folder.js';
import { CLUSTER_CONFIG, get, REPO } from './cluster.js';

const cluster = inject('cluster');
const SUBNET = '10.251.0.0/16'; // not the suite's 10.250.0.0/16

let dir = '';
const stateFile = () => join(dir, 'state.json');
const env = () => ({ CLUSTER_SUBNET: SUBNET, CI: 'true' }); // plain progress lines
const tasks = (...args: string[]) =>
  execa('npx', ['tsx', 'tasks.ts', ...args, '--config', CLUSTER_CONFIG, '--state', stateFile()], {
    cwd: REPO,
    env: env(),
    reject: false,
    stdin: 'ignore',
    timeout: 90_000, // only ends a hung child
  });

/** Every process in a namespace, as `pid comm-and-args`. */
async function processesIn(ns: string): Promise<Array<{ pid: number; cmd: string }>> {
  const { stdout } = await execa('ip', ['netns', 'pids', ns], { reject: false });
  return stdout
    .split('\n')
    .filter((l) => /^\d+$/.test(l))
    .flatMap((l) => {
      try {
        return [{ pid: Number(l), cmd: readFileSync(`/proc/${l}/cmdline`, 'utf8').split('\0').join(' ').trim() }];
      } catch {
        return []; // exited meanwhile
      }
    });
}

afterAll(async () => {
  if (!dir) return;
  if (existsSync(stateFile())) await tasks('teardown', '--force'); // only if the test failed before its own teardown
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!cluster.available)(`restart${cluster.available ? '' : ` (skipped: ${cluster.reason})`}`, () => {
  it('kill -9 of provision during app, then provision again: adopts, starts nothing twice; teardown leaves nothing', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-cluster-restart-'));

    // 1. Provision in a child (its own process group), killed -9 at app's service step, once it has
    //    recorded a started process (a step:checkpoint of that step in the NDJSON stream).
    const first = execa('npx', ['tsx', 'tasks.ts', 'provision', '--json', '--config', CLUSTER_CONFIG, '--state', stateFile()], {
      cwd: REPO,
      env: env(),
      detached: true,
      reject: false,
      stdin: 'ignore',
    });
    const seen: string[] = [];
    for await (const line of createInterface({ input: first.stdout! })) {
      const event = JSON.parse(line) as { event: string; group?: string; step?: number; provisioner?: string };
      seen.push(`${event.event} ${event.group ?? ''} ${event.step ?? ''}`);
      if (event.event === 'step:checkpoint' && event.group === 'app' && event.step === 2) {
        process.kill(-first.pid!, 'SIGKILL');
        break;
      }
    }
    const killed = await first;
    expect(killed.signal ?? killed.exitCode, seen.join('\n')).toBe('SIGKILL');

    const status = JSON.parse((await tasks('status', '--json')).stdout) as {
      stateId: string;
      groups: Array<{ name: string; state: string }>;
    };
    expect(Object.fromEntries(status.groups.map((g) => [g.name, g.state]))).toMatchObject({ db: 'provisioned', app: 'provisioning' });
    const tag = `gw-${status.stateId.replace(/-/g, '').slice(0, 8)}-`;
    const ns = (m: string) => `${tag}${m}`;
    const startedBefore = (await Promise.all(['app1', 'app2'].map((m) => processesIn(ns(m)))))
      .flat()
      .filter((p) => p.cmd.includes('server.ts'));
    expect(startedBefore.length).toBeGreaterThan(0);

    // 2. Provision again: it finishes, adopting the recorded process(es).
    const second = await tasks('provision');
    expect(second.exitCode, second.stderr).toBe(0);

    // One postgres server, one app process per node, one nginx master: nothing started twice,
    // and the app process started before the kill is still the one running.
    const count = async (m: string, match: (cmd: string) => boolean) => (await processesIn(ns(m))).filter((p) => match(p.cmd));
    expect(await count('db1', (c) => c.includes('postgres -D'))).toHaveLength(1);
    const apps = [...(await count('app1', (c) => c.includes('server.ts'))), ...(await count('app2', (c) => c.includes('server.ts')))];
    expect(apps).toHaveLength(2);
    // (A health check that wrongly finds db unhealthy replaces db and app, and kills this process: the stderr says.)
    for (const p of startedBefore)
      expect(
        apps.map((a) => a.pid),
        second.stderr,
      ).toContain(p.pid);
    expect(await count('lb1', (c) => c.startsWith('nginx: master'))).toHaveLength(1);

    // 3. The cluster works.
    const url = (await tasks('output', 'lb')).stdout.trim();
    expect(await get(url)).toEqual({ status: 200, body: 'hello world' });
    const nodes = new Set<string>();
    for (let i = 0; i < 4; i++) nodes.add((await get(`${url}heartbeat`)).body);
    expect([...nodes].sort()).toEqual(['app1', 'app2']);

    // 4. Teardown leaves no namespace, veth, process or folder of this state.
    const machines = ['db1', 'app1', 'app2', 'lb1'];
    const pids = (await Promise.all(machines.map((m) => processesIn(ns(m))))).flat(); // sshd, postgres, node, nginx
    expect(pids.length).toBeGreaterThanOrEqual(8);
    const down = await tasks('teardown');
    expect(down.exitCode, down.stderr).toBe(0);

    const { stdout: netns } = await execa('ip', ['-j', 'netns', 'list']);
    expect((JSON.parse(netns || '[]') as Array<{ name: string }>).filter((n) => n.name.startsWith(tag))).toEqual([]);
    const { stdout: links } = await execa('ip', ['-j', 'link', 'show']);
    expect((JSON.parse(links) as Array<{ ifname: string; ifalias?: string }>).filter((l) => l.ifalias?.startsWith(tag))).toEqual([]);
    expect(
      pids.filter(
        (p) => existsSync(`/proc/${p.pid}`) && readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0').join(' ').trim() === p.cmd,
      ),
    ).toEqual([]);
    const id8 = status.stateId.slice(0, 8);
    const leftovers = [
      ...(existsSync(FOLDERS_ROOT)
        ? readdirSync(FOLDERS_ROOT)
            .filter((f) => f.startsWith(id8))
            .map((f) => join(FOLDERS_ROOT, f))
        : []),
      ...(existsSync('/run/groundwork')
        ? readdirSync('/run/groundwork')
            .filter((f) => f.startsWith(tag))
            .map((f) => join('/run/groundwork', f))
        : []),
      ...readdirSync('/var/tmp')
        .filter((f) => f === `groundwork-${status.stateId.replace(/-/g, '').slice(0, 8)}`)
        .map((f) => join('/var/tmp', f)),
    ];
    expect(leftovers).toEqual([]);
  }, 240_000); // two cold bring-ups and five CLI runs (each CLI start-up is seconds on 2 busy cores)
});

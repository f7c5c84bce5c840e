// RemoteService against real netns machines (two of them, brought up once for the file).
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { Machines, powerOff, RemoteService, Scheduler, type Logger, type MachineInfo, type RemoteServiceOutput } from '../../src/index.js';
import { spawnTs } from '../helpers/children.js';
import { fixture } from '../helpers/paths.js';
import { keyFolder, netnsAvailable, pidsIn, removeNamespacesWithPrefix, uniquePrefix } from '../helpers/netns.js';
import { stepFields, waitForState } from '../helpers/state.js';
import { isRunning, waitForFile } from '../helpers/wait.js';
import { crashService } from '../fixtures/remote/service-run.js';

const prefix = uniquePrefix();
const SUBNET = '10.246.0.0/16';
const ECHO = fixture('remote/echo-server.cjs');
const echo = `${process.execPath} ${ECHO} {{machine.address}} {{port}} {{machine.name}}`;

const logs: string[] = [];
const logger: Logger = { debug() {}, info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) };

let dir: string;
let keys: string;
let stateFile: string;
let s: Scheduler;
let hosts: MachineInfo[];

/** What the service at `address` says when connected to (its machine's name). */
function greeting(address: string): Promise<string> {
  const [host, port] = address.split(':');
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect({ host: host!, port: Number(port) });
    socket.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    socket.once('end', () => resolve(text));
    socket.once('error', reject);
  });
}

/** The namespace a netns machine's sshd runs in (from the Machines report). */
function namespaceOf(machine: string): string {
  const line = s.status().find((g) => g.name === 'hosts')!.steps[0]!.report.find((l) => l.startsWith(`${machine} `))!;
  return /namespace (\S+)/.exec(line)![1]!;
}

describe.runIf(netnsAvailable)('RemoteService on netns machines (skipped unless root with /usr/sbin/sshd, or CI)', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gw-remote-'));
    keys = await keyFolder(dir, 'demo');
    stateFile = join(dir, 'state.json');
    s = await Scheduler.open({ stateFile, logger });
    await s.schedule('hosts', [
      new Machines({ driver: `netns:${join(dir, 'netns')}`, driverConfig: { prefix, subnet: SUBNET }, machines: ['n1', 'n2'], keyName: 'demo', keyPaths: [keys] }),
    ]);
    const summary = await s.run();
    expect(summary.ok, JSON.stringify(summary.groups)).toBe(true);
    hosts = (s.output('hosts') as { machines: MachineInfo[] }).machines;
  }, 60_000);

  afterAll(async () => {
    if (s) {
      await s.teardown({ force: true }).catch(() => undefined);
      await s.close();
    }
    await removeNamespacesWithPrefix(prefix);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts on every machine in its own process group, answers at the machine address, and deprovision stops it', async () => {
    await s.schedule('web', [new RemoteService({ command: echo, port: 7300, keyPaths: [keys] })], { dependsOn: ['hosts'] });
    const summary = await s.run();
    expect(summary.ok, JSON.stringify(summary.groups)).toBe(true);
    const out = s.output('web') as RemoteServiceOutput;
    expect(out.machines).toEqual(hosts); // passed through, so steps chain
    expect(out.services.map((x) => x.machine).sort()).toEqual(['n1', 'n2']);
    for (const service of out.services) {
      const host = hosts.find((h) => h.name === service.machine)!;
      expect(service.address).toBe(`${host.address}:7300`);
      expect(await greeting(service.address)).toBe(service.machine);
      // It runs inside that machine's namespace, as the leader of its own process group.
      expect(await pidsIn(namespaceOf(service.machine))).toContain(service.pid);
      const stat = readFileSync(`/proc/${service.pid}/stat`, 'utf8');
      expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2])).toBe(service.pid);
    }
    const report = s.status().find((g) => g.name === 'web')!.steps[0]!.report.join('\n');
    expect(report).toContain(ECHO);
    for (const service of out.services) expect(report).toContain(`${service.machine}: pid ${service.pid} running, ${service.address}`);
    const records = stepFields(stateFile, 'web', 0).processes as Record<string, { logFile: string; startTime: number }>;
    expect(existsSync(records.n1!.logFile)).toBe(true); // netns machines share this file system
    expect(records.n1!.startTime).toBeGreaterThan(0);

    await s.deprovision('web');
    for (const service of out.services) expect(isRunning(service.pid)).toBe(false);
    expect(existsSync(records.n1!.logFile)).toBe(false);
    expect(existsSync(dirname(records.n1!.logFile))).toBe(false); // and its folder, now empty
  });

  it('fails with NotReadyError and the log tail when the process dies before its port answers, leaving nothing running', async () => {
    await s.schedule('bad', [new RemoteService({ command: 'echo "boom $((6 * 7))" >&2; exit 3', port: 7301, keyPaths: [keys] })], {
      dependsOn: ['hosts'],
    });
    const summary = await s.run({ groups: ['bad'] });
    expect(summary.ok).toBe(false);
    const error = summary.groups.find((g) => g.group === 'bad')!.error!;
    expect(error).toContain('exited before');
    expect(error).toContain('boom 42');
    expect(error).toMatch(/last output of n1:\/var\/tmp\/groundwork-\w+\/n1\/bad\.1\.log:\nboom 42/);
    expect(stepFields(stateFile, 'bad', 0).processes).toEqual({});
    expect(existsSync(`/var/tmp/groundwork-${s.stateId.replace(/-/g, '').slice(0, 8)}/n1/bad.1.log`)).toBe(false); // its tail is in the error
    await s.deprovision('bad', { force: true });
  });

  it('stops the whole process group, killing it when it ignores SIGTERM', async () => {
    await s.schedule('stubborn', [new RemoteService({ command: echo, port: 7302, env: { IGNORE_TERM: '1' }, stopTimeoutMs: 300, keyPaths: [keys] })], {
      dependsOn: ['hosts'],
    });
    expect((await s.run({ groups: ['stubborn'] })).ok).toBe(true);
    const records = stepFields(stateFile, 'stubborn', 0).processes as Record<string, { pid: number; logFile: string }>;
    const children = await Promise.all(
      Object.values(records).map(async (r) => Number(/child (\d+)/.exec(await waitForFile(r.logFile, (t) => /child \d+/.test(t)))![1])),
    );
    for (const pid of children) expect(isRunning(pid)).toBe(true);
    logs.length = 0;
    await s.deprovision('stubborn');
    for (const pid of [...children, ...Object.values(records).map((r) => r.pid)]) expect(isRunning(pid)).toBe(false);
    expect(logs.join('\n')).toMatch(/ignored SIGTERM for 300 ms; killed its process group/);
  });

  it('runs the command as `user`', async () => {
    // `nobody` must be able to read the script: the checkout may sit in a private folder (a CI clone in mktemp -d).
    const shared = await mkdtemp(join(tmpdir(), 'gw-remote-nobody-'));
    onTestFinished(() => rm(shared, { recursive: true, force: true }));
    await chmod(shared, 0o755);
    await copyFile(ECHO, join(shared, 'echo-server.cjs'));
    const command = `${process.execPath} ${join(shared, 'echo-server.cjs')} {{machine.address}} {{port}} {{machine.name}}`;
    await s.schedule('as-nobody', [new RemoteService({ command, port: 7303, user: 'nobody', keyPaths: [keys] })], { dependsOn: ['hosts'] });
    expect((await s.run({ groups: ['as-nobody'] })).ok).toBe(true);
    const { services } = s.output('as-nobody') as RemoteServiceOutput;
    for (const { pid } of services) expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^Uid:\s+65534\s/m);
    await s.deprovision('as-nobody');
    for (const { pid } of services) expect(isRunning(pid)).toBe(false);
  });

  it('adopts its still-running processes after the scheduler was killed mid-wait, instead of starting them twice', async () => {
    await s.close(); // the child takes the state
    const child = spawnTs([fixture('remote/service-run.ts')], { GW_SERVICE_RUN: '1', GW_TEST_DIR: dir });
    const started = await waitForState(stateFile, (st) => {
      const p = st.groups.svc?.steps[0]?.provisioner.fields.json.processes as Record<string, { pid: number }> | undefined;
      return p && Object.keys(p).length === 2 ? p : undefined;
    });
    child.proc.kill('SIGKILL');
    expect((await child.exited).signal).toBe('SIGKILL');
    const pids = Object.values(started).map((p) => p.pid);
    for (const pid of pids) expect(isRunning(pid)).toBe(true); // own process group on the machine: it outlives us

    s = await Scheduler.open({ stateFile, logger });
    await writeFile(join(dir, 'go'), '');
    expect(await s.schedule('svc', [crashService(dir, keys)], { dependsOn: ['hosts'] })).toBe(false); // resumes the saved one
    logs.length = 0;
    const summary = await s.run({ groups: ['svc'] });
    expect(summary.ok, JSON.stringify(summary.groups)).toBe(true);
    const { services } = s.output('svc') as RemoteServiceOutput;
    expect(services.map((x) => x.pid).sort()).toEqual([...pids].sort());
    expect(logs.filter((l) => l.includes('adopted pid')).length).toBe(2);
    for (const service of services) expect(await greeting(service.address)).toBe(service.machine);
    await s.deprovision('svc');
    for (const pid of pids) expect(isRunning(pid)).toBe(false);
  }, 60_000);

  // Last: it powers n2 off for good (the file's teardown then removes a dead machine).
  it('shutdown tolerates a machine that is gone: says so in the log, stops the rest, and succeeds', async () => {
    await s.schedule('last', [new RemoteService({ command: echo, port: 7304, keyPaths: [keys] })], { dependsOn: ['hosts'] });
    expect((await s.run({ groups: ['last'] })).ok).toBe(true);
    const { services } = s.output('last') as RemoteServiceOutput;
    // A generous bound: this asserts what the checks find, not how fast (2 cores shared by many tests).
    expect(await s.checkHealth(['hosts', 'last'], { timeoutMs: 20_000 })).toEqual([]);
    await powerOff(hosts.find((h) => h.name === 'n2')!);
    const unhealthy = await s.checkHealth(['hosts', 'last'], { timeoutMs: 20_000 });
    expect(unhealthy.map((u) => u.group)).toEqual(['hosts', 'last']);
    expect(unhealthy[0]!.reason).toMatch(/^n2: SSH at 10\.246\.\d+\.\d+:22 does not answer \(ECONNREFUSED\)$/);
    expect(unhealthy[1]!.reason).toMatch(/^n2: 10\.246\.\d+\.\d+:7304 does not accept connections$/);
    logs.length = 0;
    expect(await s.deprovision('last')).toEqual([]); // no forced failures: shutdown returned true
    expect(logs.join('\n')).toMatch(/n2 \(10\.246\.\d+\.\d+\) is unreachable, so its pid \d+ counts as gone/);
    expect(logs.join('\n')).toMatch(/pid \d+ on n1: stopped/);
    for (const { pid } of services) expect(isRunning(pid)).toBe(false);
    expect(existsSync(`/var/tmp/groundwork-${s.stateId.replace(/-/g, '').slice(0, 8)}`)).toBe(false); // no log left, n2's neither
  });
});

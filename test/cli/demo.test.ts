// The demo end to end: the repository's own groundwork.config.ts, run through tasks.ts as child processes.
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { expect, onTestFinished, test } from 'vitest';
import { Scheduler } from '../../src/index.js';
import { stopProcessGroup } from '../../src/provisioners/process-tree.js';
import { tempDir } from '../helpers/temp.js';
import { isRunning } from '../helpers/wait.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function cli(...args: string[]) {
  const r = await execa(process.execPath, ['--import', 'tsx', 'tasks.ts', ...args], { cwd: root, reject: false, stdin: 'ignore', timeout: 25_000 });
  return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
}

interface RawStep {
  state: string;
  provisioner: { class: string; fields: { json: Record<string, unknown> } };
  output?: { json: unknown };
}
interface RawState {
  groups: Record<string, { state: string; steps: RawStep[] }>;
}

function readState(file: string): RawState {
  return JSON.parse(readFileSync(file, 'utf8')) as RawState;
}

/** The LocalService processes recorded in the state: pid and kernel start time. */
function servicePids(state: RawState): { group: string; pid: number; startTime: number }[] {
  return Object.entries(state.groups).flatMap(([group, g]) =>
    g.steps
      .filter((s) => s.provisioner.class === 'LocalService' && typeof s.provisioner.fields.json.pid === 'number')
      .map((s) => ({ group, pid: s.provisioner.fields.json.pid as number, startTime: s.provisioner.fields.json.startTime as number })),
  );
}

/** One GET without keep-alive (so the server is not held open by an idle connection). */
function httpGet(address: string): Promise<{ status: number; body: string }> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    get({ host, port: Number(port), path: '/', agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/** What the db sends on a fresh TCP connection. */
function readTcp(address: string): Promise<string> {
  const [host, port] = address.split(':') as [string, string];
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect({ host, port: Number(port) });
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (text += c));
    socket.once('end', () => resolve(text));
    socket.once('error', reject);
  });
}

/** Safety net only: stop a leftover process group, with a direct SIGKILL if the library's stop did not end it. */
async function forceStop(pid: number, startTime: number | undefined): Promise<void> {
  await stopProcessGroup(pid, startTime, { graceMs: 0 }).catch(() => {});
  if (!isRunning(pid)) return;
  for (const target of [-pid, pid]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

test('demo: provision, the app serves "hello world" from the db, teardown stops every process', async () => {
  const dir = await tempDir('groundwork-demo-');
  const stateFile = join(dir, 'state.json');
  const seen: { pid: number; startTime: number }[] = [];
  // Safety net (runs before the temp folder is removed): whatever is left, stop it.
  onTestFinished(async () => {
    try {
      const s = await Scheduler.open({ stateFile });
      try {
        await s.teardown({ force: true });
      } finally {
        await s.close();
      }
    } finally {
      for (const p of seen) if (isRunning(p.pid)) await forceStop(p.pid, p.startTime);
    }
  });

  const provision = await cli('provision', '--verbose', '--state', stateFile);
  const afterProvision = readState(stateFile);
  const pids = servicePids(afterProvision);
  seen.push(...pids);
  // --verbose shows what provisioners log; nothing else goes to stderr.
  expect(provision.stderr.split('\n').filter(Boolean).every((l) => l.startsWith('info: '))).toBe(true);
  expect(provision.stderr).toMatch(/^info: \[db 1:LocalService\] started .* \(pid \d+\), waiting for 127\.0\.0\.1:\d+$/m);
  expect(provision.code).toBe(0);
  expect(provision.stdout).toMatch(/^ {2}db +provisioned$/m);
  expect(provision.stdout).toMatch(/^ {2}app +provisioned$/m);

  expect(pids.map((p) => p.group)).toEqual(['db', 'app']);
  for (const p of pids) expect(isRunning(p.pid)).toBe(true);

  const status = await cli('status', '--json', '--state', stateFile);
  expect(status.code).toBe(0);
  const report = JSON.parse(status.stdout) as {
    groups: { name: string; state: string; dependsOn: string[]; steps: { provisioner: string; state: string; report: string[] }[] }[];
  };
  expect(report.groups.map((g) => [g.name, g.state, g.dependsOn])).toEqual([
    ['db', 'provisioned', []],
    ['app', 'provisioned', ['db']],
  ]);
  const app = report.groups.find((g) => g.name === 'app')!;
  expect(app.steps.map((s) => [s.provisioner, s.state])).toEqual([
    ['LocalService', 'done'],
    ['HttpCheck', 'done'],
  ]);

  // The app's address, from its report lines ("pid N running, HOST:PORT"), agrees with its saved output.
  const appPid = pids.find((p) => p.group === 'app')!.pid;
  const line = app.steps[0]!.report.find((l) => l.startsWith(`pid ${appPid} running, `));
  expect(line).toBeDefined();
  const appAddress = line!.slice(`pid ${appPid} running, `.length);
  expect(afterProvision.groups.app!.steps[0]!.output?.json).toMatchObject({ address: appAddress, pid: appPid });
  const dbAddress = (afterProvision.groups.db!.steps[0]!.output?.json as { address: string }).address;

  expect(await readTcp(dbAddress)).toBe('hello world');
  expect(await httpGet(appAddress)).toEqual({ status: 200, body: 'hello world' });

  const teardown = await cli('teardown', '--state', stateFile);
  expect(teardown.code).toBe(0);
  expect(teardown.stdout).toContain('Torn down 2 group(s).');
  for (const p of pids) expect(isRunning(p.pid), `pid ${p.pid} (${p.group})`).toBe(false);
  expect(readState(stateFile).groups).toEqual({});
});

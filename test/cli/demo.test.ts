// The demo end to end: the repository's own groundwork.config.ts, run through tasks.ts as child processes.
import { get } from 'node:http';
import { connect } from 'node:net';
import { expect, test } from 'vitest';
import { runTasks, type CliRun } from '../helpers/cli.js';
import { serviceWorkspace } from '../helpers/processes.js';
import { readRawState, type RawState } from '../helpers/state.js';
import { isRunning } from '../helpers/wait.js';

const cli = (...args: string[]): Promise<CliRun> => runTasks(args, { timeoutMs: 25_000 });

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

test('demo: provision, the app serves "hello world" from the db, teardown stops every process', async () => {
  // With a safety net (runs before the temp folder is removed): whatever is left, stop it.
  const { stateFile, track } = await serviceWorkspace('groundwork-demo-');

  const provision = await cli('provision', '--verbose', '--state', stateFile);
  const afterProvision = readRawState(stateFile);
  const pids = servicePids(afterProvision);
  for (const p of pids) track(p.pid, p.startTime);
  expect(provision.code, `${provision.stdout}\n${provision.stderr}`).toBe(0);
  // --verbose shows what provisioners log; nothing else goes to stderr.
  expect(
    provision.stderr
      .split('\n')
      .filter(Boolean)
      .every((l) => l.startsWith('info: ')),
  ).toBe(true);
  expect(provision.stderr).toMatch(/^info: \[db 1:LocalService\] started .* \(pid \d+\), waiting for 127\.0\.0\.1:\d+$/m);
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
  expect(readRawState(stateFile).groups).toEqual({});
});

// kill -9 of the command line in the middle of CREATE and of INSTALL, then provision again: CREATE adopts
// the machine it checkpointed, the task in flight runs again, no finished task does; teardown leaves nothing.
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { expect, test } from 'vitest';
import { runTasks } from '../helpers/cli.js';
import { fixture, ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { waitForFile } from '../helpers/wait.js';
import { eventsOf } from './cluster-helpers.js';

const CONFIG = fixture('plugins-cluster/kill.config.ts');

/** Start `provision`, SIGKILL it once `marker` appears in `dir`. */
async function provisionAndKill(dir: string, env: Record<string, string>, marker: string): Promise<void> {
  const child = execa(process.execPath, ['--import', 'tsx', 'tasks.ts', 'provision', '--config', CONFIG], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    reject: false,
    stdin: 'ignore',
    timeout: 60_000,
  });
  try {
    await waitForFile(join(dir, marker), (t) => t !== '', 60_000);
  } finally {
    child.kill('SIGKILL');
    await child;
  }
}

const machines = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.startsWith('machine-'))
    .sort();

test('kill -9 mid-CREATE, then provision again: CREATE adopts the machine it checkpointed', async () => {
  const dir = await tempDir('gw-loom-kill-');
  const env = { GW_FIXTURE_DIR: dir, GW_HOLD: 'create' };
  await provisionAndKill(dir, env, 'holding-create-n1');
  const [first] = eventsOf(dir, 'n1:CREATE');
  expect(first).toMatchObject({ adopted: false });

  writeFileSync(join(dir, 'release-create'), '');
  const again = await runTasks(['provision', '--config', CONFIG], { env: { ...process.env, ...env }, timeoutMs: 60_000 });
  expect(again.code, again.stderr).toBe(0);
  const creates = eventsOf(dir, 'n1:CREATE');
  expect(creates).toHaveLength(2);
  expect(creates[1]).toMatchObject({ adopted: true, providerid: first!.providerid });
  expect(eventsOf(dir, 'n1:CONFIRM').map((e) => e.providerid)).toEqual([first!.providerid]);
  expect(machines(dir)).toEqual(['machine-n1', 'machine-n2']);

  const status = await runTasks(['status', '--config', CONFIG], { env: { ...process.env, ...env } });
  expect(status.stdout).toContain('n1:CREATE via provider "fakeprov": ok; result keys: providerid');

  const down = await runTasks(['teardown', '--config', CONFIG], { env: { ...process.env, ...env }, timeoutMs: 60_000 });
  expect(down.code, down.stderr).toBe(0);
  expect(eventsOf(dir, 'n1:DELETE').map((e) => e.providerid)).toEqual([first!.providerid]);
  expect(machines(dir)).toEqual([]);
}, 180_000);

test('kill -9 mid-INSTALL, then provision again: only the task in flight runs again', async () => {
  const dir = await tempDir('gw-loom-kill-');
  const env = { GW_FIXTURE_DIR: dir, GW_HOLD: 'install' };
  await provisionAndKill(dir, env, 'holding-n1_INSTALL_db');
  writeFileSync(join(dir, 'release-install'), '');
  const again = await runTasks(['provision', '--config', CONFIG], { env: { ...process.env, ...env }, timeoutMs: 60_000 });
  expect(again.code, again.stderr).toBe(0);
  for (const task of ['n1:CREATE', 'n1:CONFIRM', 'n1:BOOTSTRAP:recauto', 'n1:START:db', 'n2:START:web'])
    expect(eventsOf(dir, task), task).toHaveLength(1);
  expect(eventsOf(dir, 'n1:INSTALL:db')).toHaveLength(2);

  const down = await runTasks(['teardown', '--config', CONFIG], { env: { ...process.env, ...env }, timeoutMs: 60_000 });
  expect(down.code, down.stderr).toBe(0);
  expect(eventsOf(dir, 'n1:STOP:db')).toHaveLength(1);
  expect(machines(dir)).toEqual([]);
}, 180_000);

test('provision --dry-run names each task it would run and runs none', async () => {
  const dir = await tempDir('gw-loom-dry-');
  const r = await runTasks(['provision', '--dry-run', '--config', CONFIG], {
    env: { ...process.env, GW_FIXTURE_DIR: dir },
    timeoutMs: 60_000,
  });
  expect(r.code, r.stderr).toBe(0);
  const out = r.stdout + r.stderr;
  for (const task of [
    'n1:CREATE through provider "fakeprov"',
    'n1:BOOTSTRAP:recauto through automator "recauto"',
    'n2:START:web through automator "recauto"',
  ])
    expect(out).toContain(`would run ${task}`);
  expect(readdirSync(dir)).toEqual([]); // no event, machine or state file
}, 120_000);

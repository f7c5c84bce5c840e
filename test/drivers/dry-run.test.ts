import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { runMain } from '../helpers/cli-in-process.js';
import { keyFolder, namespaces, removeNamespacesWithPrefix, netnsAvailable, uniquePrefix } from '../helpers/netns.js';
import { tempDir } from '../helpers/temp.js';

const prefix = uniquePrefix();
const CONFIG = 'test/fixtures/machines/netns-config.ts';
afterEach(() => removeNamespacesWithPrefix(prefix));

it.runIf(netnsAvailable)('provision --dry-run prints the plan and changes nothing, before and after a real provision', async () => {
  const dir = await tempDir('gw-dry-');
  await keyFolder(dir, 'demo');
  Object.assign(process.env, { GW_TEST_DIR: dir, GW_TEST_PREFIX: prefix, GW_TEST_SUBNET: '10.235.0.0/16' });
  const stateFile = join(dir, 'state.json');
  const before = await namespaces();

  const fresh = await runMain(['provision', '--dry-run', '--config', CONFIG]);
  expect(fresh.code, fresh.stderr).toBe(0);
  expect(fresh.stdout).toContain('(no state yet); nothing is changed.');
  expect(fresh.stdout).toContain(`[web1] would create namespace ${prefix}-<new>-web1`);
  expect(fresh.stdout).toContain(`[web2] would start sshd in ${prefix}-<new>-web2 (authorized key "demo") and connect over SSH`);
  expect(fresh.stdout).toContain('[web1] would run `echo set up` (setup)');
  expect(fresh.stdout).toContain('2. RunOnMachines:\n       would run `ip -4 -o addr show scope global` on each machine over SSH');
  expect(existsSync(stateFile)).toBe(false);
  expect(existsSync(`${stateFile}.lock`)).toBe(false);
  expect(await namespaces()).toEqual(before);

  const real = await runMain(['provision', '--config', CONFIG]);
  expect(real.code, real.stderr).toBe(0);
  const text = readFileSync(stateFile, 'utf8');
  const mtime = statSync(stateFile).mtimeMs;
  const up = await namespaces();

  const again = await runMain(['provision', '--dry-run', '--config', CONFIG]);
  expect(again.code, again.stderr).toBe(0);
  expect(again.stdout).toContain('group hosts (provisioned):');
  expect(again.stdout).toContain('1. Machines: done, would be skipped');
  expect(readFileSync(stateFile, 'utf8')).toBe(text);
  expect(statSync(stateFile).mtimeMs).toBe(mtime);
  expect(await namespaces()).toEqual(up);

  const down = await runMain(['teardown', '--config', CONFIG]);
  expect(down.code, down.stderr).toBe(0);
  expect((await namespaces()).filter((n) => n.startsWith(`${prefix}-`))).toEqual([]);
});

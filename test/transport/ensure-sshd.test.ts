// scripts/ensure-sshd.sh and the vitest globalSetup that calls it. The missing-sshd cases run as user
// nobody with GROUNDWORK_SSHD pointing nowhere, so nothing is installed.
import { execa } from 'execa';
import { expect, test } from 'vitest';
import { copyFile, chmod, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleStandalone } from '../helpers/bundle.js';
import { ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { sshdAvailability } from '../helpers/sshd.js';

const SCRIPT = `${ROOT}scripts/ensure-sshd.sh`;
const nobody = { uid: 65534, gid: 65534 };
const missing = { GROUNDWORK_SSHD: '/nonexistent/sshd' };

test.skipIf(!sshdAvailability().available)('is quiet and succeeds when sshd is installed', async () => {
  const result = await execa('sh', [SCRIPT], { all: true });
  expect(result.exitCode).toBe(0);
  expect(result.all).toBe('');
});

// The unprivileged runs use a copy in a folder anyone can read: the checkout may sit in a private one.
async function reachableCopy(): Promise<string> {
  const dir = await tempDir('gw-ensure-sshd-');
  await chmod(dir, 0o755);
  await mkdir(join(dir, 'scripts', 'lib'), { recursive: true });
  await copyFile(SCRIPT, join(dir, 'scripts', 'ensure-sshd.sh'));
  await copyFile(`${ROOT}scripts/lib/apt-ensure.sh`, join(dir, 'scripts', 'lib', 'apt-ensure.sh'));
  await chmod(join(dir, 'scripts', 'lib'), 0o755);
  // test/global-setup.ts finds the script at ../scripts/ from itself.
  await bundleStandalone('run-global-setup.ts', join(dir, 'test', 'run-global-setup.mjs'));
  await chmod(join(dir, 'test'), 0o755);
  return dir;
}

test('without root and without sshd it exits non-zero saying what to do', async () => {
  const dir = await reachableCopy();
  const result = await execa('sh', [join(dir, 'scripts', 'ensure-sshd.sh')], { ...nobody, cwd: dir, env: missing, reject: false });
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toBe(
    'ensure-sshd: /nonexistent/sshd is missing and this is not root; install it with: sudo apt-get install -y openssh-server',
  );
});

const runSetup = async (env: Record<string, string | undefined>) => {
  const dir = await reachableCopy();
  return execa(process.execPath, [join(dir, 'test', 'run-global-setup.mjs')], {
    cwd: dir,
    ...nobody,
    env: { ...missing, ...env },
    reject: false,
  });
};

test('the globalSetup fails the run in CI when sshd cannot be had', async () => {
  const result = await runSetup({ CI: 'true' });
  expect(result.exitCode).toBe(2);
  expect(result.stdout).toMatch(
    /^threw: sshd is not available \(scripts\/ensure-sshd\.sh exited 1\): ensure-sshd: \/nonexistent\/sshd is missing and this is not root/,
  );
});

test('outside CI the globalSetup lets the sshd tests skip with the reason', async () => {
  const result = await runSetup({ CI: undefined });
  expect(result.exitCode).toBe(0);
  const provided = JSON.parse(result.stdout) as { sshd: { available: boolean; reason: string } };
  expect(provided.sshd.available).toBe(false);
  expect(provided.sshd.reason).toContain('/nonexistent/sshd is missing and this is not root');
});

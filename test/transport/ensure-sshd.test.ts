// scripts/ensure-sshd.sh and the vitest globalSetup that calls it. The missing-sshd cases run as user
// nobody with GROUNDWORK_SSHD pointing nowhere, so nothing is installed.
import { execa } from 'execa';
import { expect, test } from 'vitest';
import { fixture, ROOT } from '../helpers/paths.js';
import { sshdAvailability } from '../helpers/sshd.js';

const SCRIPT = `${ROOT}scripts/ensure-sshd.sh`;
const nobody = { uid: 65534, gid: 65534 };
const missing = { GROUNDWORK_SSHD: '/nonexistent/sshd' };

test.skipIf(!sshdAvailability().available)('is quiet and succeeds when sshd is installed', async () => {
  const result = await execa('sh', [SCRIPT], { all: true });
  expect(result.exitCode).toBe(0);
  expect(result.all).toBe('');
});

test('without root and without sshd it exits non-zero saying what to do', async () => {
  const result = await execa('sh', [SCRIPT], { ...nobody, env: missing, reject: false });
  expect(result.exitCode).toBe(1);
  expect(result.stderr).toBe(
    'ensure-sshd: /nonexistent/sshd is missing and this is not root; install it with: sudo apt-get install -y openssh-server',
  );
});

const runSetup = (env: Record<string, string | undefined>) =>
  execa(process.execPath, ['--import', 'tsx', fixture('run-global-setup.ts')], {
    cwd: ROOT,
    ...nobody,
    env: { ...missing, ...env },
    reject: false,
  });

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

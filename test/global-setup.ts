// vitest globalSetup: make sure OpenSSH's sshd is installed (scripts/ensure-sshd.sh) before the tests that need it.
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Whether /usr/sbin/sshd can be used by the tests; `reason` says why not. */
    sshd: { available: boolean; reason: string };
  }
}

interface ProvideTarget {
  provide(key: 'sshd', value: { available: boolean; reason: string }): void;
}

const SCRIPT = fileURLToPath(new URL('../scripts/ensure-sshd.sh', import.meta.url));

export default async function setup(project: ProvideTarget): Promise<void> {
  const result = await execa('sh', [SCRIPT], { reject: false, all: true });
  if (result.exitCode === 0) {
    project.provide('sshd', { available: true, reason: '' });
    return;
  }
  const reason = `sshd is not available (scripts/ensure-sshd.sh exited ${result.exitCode}): ${result.all.trim().split('\n').slice(-3).join(' ')}`;
  // In CI a missing sshd is a failure, not a skip.
  if (process.env.CI === 'true') throw new Error(reason);
  project.provide('sshd', { available: false, reason });
}

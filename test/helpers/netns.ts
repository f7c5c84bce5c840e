// Network namespaces for tests: a unique prefix per test file, and a cleanup
// that works from `ip` itself (independent of the code under test).
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { generateKeyPair } from '../../src/keys/generate.js';

/** `t` + 6 random hex digits: the netns driver's `prefix` for one test file. */
export function uniquePrefix(): string {
  return `t${randomBytes(3).toString('hex')}`;
}

export async function namespaces(): Promise<string[]> {
  const { stdout } = await execa('ip', ['-j', 'netns', 'list']);
  return stdout.trim() ? (JSON.parse(stdout) as Array<{ name: string }>).map((n) => n.name) : [];
}

/** Host links whose alias (the netns driver sets it to the namespace) or name matches. */
export async function hostLinks(): Promise<Array<{ ifname: string; ifalias?: string }>> {
  return JSON.parse((await execa('ip', ['-j', 'link', 'show'])).stdout) as Array<{ ifname: string; ifalias?: string }>;
}

/** Pids of the processes in a namespace (empty if it is gone). */
export async function pidsIn(ns: string): Promise<number[]> {
  const result = await execa('ip', ['netns', 'pids', ns], { reject: false });
  return result.stdout.split('\n').filter(Boolean).map(Number);
}

/** Processes whose command line mentions a path under `dir` (e.g. sshd with its config there), from /proc. */
export function processesUsing(dir: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Kill what runs in every namespace with this prefix, delete them and any host veth left with their alias. */
export async function removeNamespacesWithPrefix(prefix: string): Promise<void> {
  for (const ns of (await namespaces()).filter((n) => n.startsWith(`${prefix}-`))) {
    for (const pid of await pidsIn(ns)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    await execa('ip', ['netns', 'delete', ns], { reject: false });
  }
  for (const link of (await hostLinks()).filter((l) => l.ifalias?.startsWith(`${prefix}-`))) {
    await execa('ip', ['link', 'delete', link.ifname], { reject: false });
  }
}

/** A key folder with one generated key named `name`. */
export async function keyFolder(dir: string, name = 'test-key'): Promise<string> {
  const keys = join(dir, 'keys');
  await mkdir(keys, { recursive: true });
  await generateKeyPair(join(keys, name));
  return keys;
}

/**
 * Network namespaces need root and sshd. Outside CI, tests that need them are
 * skipped when either is missing; in CI (CI=true) they run and fail.
 */
export const netnsAvailable = process.env.CI === 'true' || (process.getuid?.() === 0 && existsSync('/usr/sbin/sshd'));

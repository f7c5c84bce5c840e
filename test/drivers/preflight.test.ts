// Preflight: a netns driver pointed at an sshd that does not exist refuses before any
// namespace is made, naming the fix; `groundwork doctor` shows the same check. Child CLI runs.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, test } from 'vitest';
import { fixture, ROOT } from '../helpers/paths.js';
import { namespaces, removeNamespacesWithPrefix, uniquePrefix } from '../helpers/netns.js';
import { tempDir } from '../helpers/temp.js';

const CONFIG = fixture('machines/netns-no-sshd.ts');

async function cli(args: string[], env: Record<string, string>) {
  return execa(process.execPath, ['--import', 'tsx', 'tasks.ts', ...args, '--config', CONFIG], {
    cwd: ROOT,
    reject: false,
    stdin: 'ignore',
    timeout: 90_000, // the machine may be loaded; nothing here depends on time
    env: { ...env, NO_COLOR: '1' },
  });
}

describe.concurrent('preflight', { timeout: 180_000 }, () => {
  test('provision with sshd missing fails at once with the fix, and no namespace is made', async (ctx) => {
    const dir = await tempDir('groundwork-preflight-', ctx);
    const prefix = uniquePrefix();
    ctx.onTestFinished(() => removeNamespacesWithPrefix(prefix));
    await mkdir(join(dir, 'keys'));
    const r = await cli(['provision'], { GW_TEST_DIR: dir, GW_TEST_PREFIX: prefix });
    ctx.expect(r.exitCode).toBe(1);
    ctx.expect(r.stdout).toContain(
      `netns driver needs OpenSSH sshd at ${join(dir, 'no-such-sshd')}: apt-get install openssh-server, or run scripts/ensure-sshd.sh`,
    );
    ctx.expect(r.stdout).toContain('nothing was allocated');
    ctx.expect((await namespaces()).filter((n) => n.startsWith(`${prefix}-`))).toEqual([]);
  });

  test('doctor lists each check with ✔/✘ and the fix, and exits 1', async (ctx) => {
    const dir = await tempDir('groundwork-doctor-', ctx);
    const r = await cli(['doctor'], { GW_TEST_DIR: dir, GW_TEST_PREFIX: uniquePrefix() });
    ctx.expect(r.exitCode).toBe(1);
    ctx.expect(r.stdout).toContain(`netns:${join(dir, 'netns')}  (used by hosts)`);
    ctx.expect(r.stdout).toContain('✔ root');
    ctx.expect(r.stdout).toContain('✔ `ip` (iproute2) on PATH');
    ctx.expect(r.stdout).toContain(`✘ OpenSSH sshd at ${join(dir, 'no-such-sshd')}\n      fix: apt-get install openssh-server`);
    ctx.expect(r.stdout).toContain('1 check(s) failed.');
  });
});

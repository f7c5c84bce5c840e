// A login script that writes to stderr (here BASH_ENV, which bash sources for `sshd` commands) must not
// break the transport: its lines stay in stderr, and stopping a command still finds the remote process.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomInt } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { SshMachine } from '../../src/transport/ssh-machine.js';
import { connectTo, runSshd, sshdAvailability } from '../helpers/sshd.js';

const sshd = sshdAvailability();

describe.skipIf(!sshd.available)(`noisy login script ${sshd.reason}`, () => {
  let server: Awaited<ReturnType<typeof runSshd>>;
  let machine: SshMachine;
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'groundwork-bashenv-'));
    const script = join(dir, 'env.sh');
    await writeFile(script, 'echo "welcome from the login script" >&2\nprintf "no newline yet" >&2\necho " - done" >&2\n');
    server = await runSshd({ extra: [`SetEnv BASH_ENV=${script}`] });
    machine = await connectTo(server);
  });
  afterAll(async () => {
    await machine?.close();
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('the login script lines stay in stderr before the command output', async () => {
    const result = await machine.execute('echo out; echo err >&2');
    expect(result.stdout).toBe('out');
    // Once or more: bash sources BASH_ENV again for each subshell that root's .bashrc may start.
    expect(result.stderr).toMatch(/^(welcome from the login script\nno newline yet - done\n)+err$/);
  });

  test('a timeout still stops the remote process', async () => {
    // Found by its command line: reading its pid from the output would race the timeout.
    const tag = `30.${randomInt(100_000, 1_000_000)}`;
    await expect(machine.execute(`sleep ${tag} & wait`, { timeout: 300 })).rejects.toMatchObject({ timedOut: true });
    const script = `while pgrep -f '[s]leep ${tag}' >/dev/null; do sleep 0.05; done`;
    const waited = await machine.execute(`timeout 5 sh -c ${JSON.stringify(script)}`, { reject: false });
    expect(waited.exitCode).toBe(0);
  });
});

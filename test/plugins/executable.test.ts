// An any-language plugin (sh fixture): task JSON on stdin, result JSON on stdout, stderr captured,
// checkpoints on fd 3; the same result rules as a class plugin.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PluginRegistry } from '../../src/plugins/registry.js';
import { TaskName } from '../../src/plugins/task.js';
import { FIXTURES, recordingHooks, task } from './helpers.js';

const registry = new PluginRegistry();
beforeAll(() => registry.load([join(FIXTURES, 'good')]));

const run = (mode: string, extra: Record<string, unknown> = {}, r = recordingHooks()) =>
  registry.provider('exeprov').run(task(TaskName.Create, { fields: { mode, ...extra } }), r.hooks);

describe('an executable provider', () => {
  it('reads the task on stdin, checkpoints on fd 3, and its stdout JSON is the result (merged over checkpoints); stderr kept on success', async () => {
    const r = recordingHooks();
    const result = await run('ok', {}, r);
    expect(result).toEqual({
      status: 0,
      result: { providerid: 'exe-node1.test', ipaddress: '10.0.0.9' },
      stdout: 'made node1.test',
      stderr: 'exeprov: CREATE node1.test mode=ok\n',
    });
    expect(r.checkpoints).toEqual([{ status: 0, result: { providerid: 'exe-node1.test' }, stdout: '', stderr: '' }]);
  });

  it('a non-zero exit is a failure with that status, its stderr and what happened', async () => {
    const result = await run('exit3');
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('exeprov: giving up');
    expect(result.stderr).toMatch(/exeprov\.sh exited with code 3$/);
  });

  it('stdout that is not a JSON object is a failure that says what to write; the text is kept in stdout', async () => {
    const result = await run('badjson');
    expect(result.status).toBe(1);
    expect(result.stdout).toBe('this is not json');
    expect(result.stderr).toContain('its stdout is not the result JSON: this is not json; write one JSON object');
  });

  it('a status in the JSON counts even with exit 0', async () => {
    expect(await run('status2')).toMatchObject({ status: 2, stderr: expect.stringMatching(/^quota exceeded\nexeprov: CREATE/) });
  });

  it('a password field reaches the executable, and its echo is scrubbed from result, stdout and stderr', async () => {
    const secret = 'hunter2-exe-secret';
    const result = await run(
      'echo-secret',
      { token: { env: 'EXEPROV_TOKEN' } },
      recordingHooks({ secrets: { env: { EXEPROV_TOKEN: secret } } }),
    );
    expect(result.status).toBe(0);
    expect(JSON.stringify(result)).not.toContain(secret);
    expect(result.result.token).toBe('(redacted)');
    expect(result.stderr).toContain('token is (redacted)');
  });

  it('one that outlives its timeout is killed: a failure that says so, and the process is gone', async () => {
    const result = await run('hang', {}, recordingHooks({ timeoutMs: 300 }));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('exeprov.sh timed out after 300 ms and was killed');
    const pid = Number(/exeprov: pid (\d+)/.exec(result.stderr)?.[1]);
    expect(pid).toBeGreaterThan(0);
    expect(() => process.kill(pid, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });

  it('cancelling through the signal stops the executable: a failure that says it was cancelled', async () => {
    const controller = new AbortController();
    controller.abort(new Error('interrupted'));
    const result = await run('ok', {}, recordingHooks({ signal: controller.signal }));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain('was cancelled');
  });
});

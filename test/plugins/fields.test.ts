// Field values against a plugin's parameters; password fields by reference, the secret only while the task runs.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PluginError } from '../../src/errors.js';
import { resolveFields } from '../../src/plugins/fields.js';
import { PluginRegistry } from '../../src/plugins/registry.js';
import { TaskName, type PluginResult } from '../../src/plugins/task.js';
import { tempDir } from '../helpers/temp.js';
import { FIXTURES, recordingHooks, task } from './helpers.js';

const registry = new PluginRegistry();
beforeAll(() => registry.load([join(FIXTURES, 'good')]));
const fixauto = () => registry.automator('fixauto');
const check = (given: Record<string, unknown>) => resolveFields(fixauto().parameters, given, fixauto());

describe('resolveFields', () => {
  it('applies defaults and keeps a password reference as given', () => {
    expect(check({ region: 'eu', password: { env: 'DB_PASSWORD' } })).toEqual({
      region: 'eu',
      flavor: 'small',
      password: { env: 'DB_PASSWORD' },
    });
  });

  it.each([
    ['a missing required field', {}, /needs field region; set it in its fields/],
    [
      'a select value outside its options',
      { region: 'eu', flavor: 'huge' },
      /Field "flavor" of plugin "fixauto" .* is "huge"; expected one of "small", "large"/,
    ],
    [
      'an unknown field',
      { region: 'eu', colour: 'red' },
      /Field "colour" is not a parameter of plugin "fixauto" .*; its fields: flavor, region, password/,
    ],
    [
      'a password in plain text',
      { region: 'eu', password: 'hunter2' },
      /Field "password" .* is a password: give it as a reference, \{ env: 'VAR' \} or \{ file: 'name' \}.* not as plain text/,
    ],
  ])('refuses %s, naming the plugin descriptor and the field', (_case, given, message) => {
    let error: unknown;
    try {
      check(given);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PluginError);
    expect((error as PluginError).descriptorFile).toBe(fixauto().descriptorFile);
    expect((error as Error).message).toContain(fixauto().descriptorFile);
    expect((error as Error).message).toMatch(message);
    // The message never repeats a plain-text password.
    expect((error as Error).message).not.toContain('hunter2');
  });
});

describe('password fields when the task runs', () => {
  const service = { name: 'db', action: { type: 'fixauto', script: 'install.sh' } };

  it('a { file } reference is read from a key folder only while the task runs; checkpoint, result and log never hold the secret', async () => {
    const keys = await tempDir('groundwork-plugin-keys-');
    const secret = 'file-secret-0x5f3759df';
    await writeFile(join(keys, 'db-password'), `${secret}\n`, { mode: 0o600 });
    const fields = check({ region: 'eu', password: { file: 'db-password' } });
    const t = task(TaskName.Install, { fields, config: { ...fields, ipaddress: '10.0.0.5' }, service });

    // What a caller persists: the task it passed, and each checkpoint and result, written to a real file.
    const out = await tempDir('groundwork-plugin-out-');
    const stored = join(out, 'stored.json');
    const checkpoints: PluginResult[] = [];
    const r = recordingHooks({
      secrets: { keyPaths: [join(keys, 'missing'), keys] },
      checkpoint: async (p) => {
        checkpoints.push(p);
      },
    });
    const result = await fixauto().run(t, r.hooks);
    await writeFile(stored, JSON.stringify({ task: t, checkpoints, result, logs: r.logs }));

    expect(result.status).toBe(0);
    // The plugin did see the secret (its length), but echoing it was scrubbed everywhere.
    expect(result.result.passwordLength).toBe(secret.length);
    expect(result.stdout).toBe('installed with (redacted)');
    expect(r.logs).toEqual([{ level: 'info', message: 'installing with password (redacted)' }]);
    expect(t.fields.password).toEqual({ file: 'db-password' });
    const text = await readFile(stored, 'utf8');
    expect(text).not.toContain(secret);
    expect(text).toContain('"password":{"file":"db-password"}');
  });

  it('an { env } reference that is not set is refused when the task runs, naming the variable', async () => {
    const fields = check({ region: 'eu', password: { env: 'GW_TEST_UNSET_PASSWORD' } });
    const error = await fixauto()
      .run(task(TaskName.Install, { fields, service }), recordingHooks({ secrets: { env: {} } }).hooks)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PluginError);
    expect((error as Error).message).toContain(
      'Password field "password" refers to environment variable GW_TEST_UNSET_PASSWORD, which is not set',
    );
  });

  it('a { file } reference not in any key folder names every place looked', async () => {
    const keys = await tempDir('groundwork-plugin-keys-');
    const fields = check({ region: 'eu', password: { file: 'absent' } });
    const error = await fixauto()
      .run(task(TaskName.Install, { fields, service }), recordingHooks({ secrets: { keyPaths: [keys] } }).hooks)
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain(`refers to file "absent", not found in the key folders (${join(keys, 'absent')})`);
  });
});

// Class plugins: dispatch on taskName, written vs returned results, throws, checkpoints and the logger.
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Automator, Provider } from '../../src/plugins/base.js';
import { runClassPlugin } from '../../src/plugins/class-runner.js';
import { noParameters } from '../../src/plugins/parameters.js';
import { PluginRegistry } from '../../src/plugins/registry.js';
import { TaskName } from '../../src/plugins/task.js';
import { FIXTURES, recordingHooks, task } from './helpers.js';

const registry = new PluginRegistry();
beforeAll(() => registry.load([join(FIXTURES, 'good')]));

const confirmed = {
  providerid: 'p-1',
  ipaddress: '10.0.0.5',
  'ssh-auth': { user: 'gw', keyName: 'k1' },
  hostkey: 'ssh-ed25519 AAAAfixture',
};

describe('a class provider', () => {
  it('CREATE calls create() with the inputmap; what it wrote is the result, checkpointed half-way, logged through the logger', async () => {
    const r = recordingHooks();
    const result = await registry.provider('fixprov').run(task(TaskName.Create, { config: { zone: 'z1' } }), r.hooks);
    expect(result).toEqual({ status: 0, result: { providerid: 'p-node1.test' }, stdout: 'requested', stderr: '' });
    expect(r.checkpoints).toEqual([{ status: 0, result: { providerid: 'p-node1.test' }, stdout: '', stderr: '' }]);
    expect(r.logs).toEqual([{ level: 'info', message: 'created node1.test' }]);
  });

  it('a throw after a checkpoint is status 1 with the error in stderr; the checkpointed result is kept', async () => {
    const r = recordingHooks();
    const result = await registry.provider('fixprov').run(task(TaskName.Create, { config: { mode: 'throw-after-checkpoint' } }), r.hooks);
    expect(result.status).toBe(1);
    expect(result.result).toEqual({ providerid: 'p-node1.test' });
    expect(result.stderr).toMatch(/^Error: the provider API went away\n\s+at /);
    expect(r.checkpoints.map((c) => c.result)).toEqual([{ providerid: 'p-node1.test' }]);
  });

  it('CONFIRM gets earlier results in its inputmap; a returned result counts like a written one', async () => {
    const result = await registry
      .provider('fixprov')
      .run(task(TaskName.Confirm, { config: { providerid: 'p-9' } }), recordingHooks().hooks);
    expect(result).toEqual({
      status: 0,
      result: { ipaddress: '10.0.0.5', 'ssh-auth': { user: 'gw', keyName: 'k1' }, seen: 'p-9' },
      stdout: '',
      stderr: '',
    });
  });

  it('DELETE with a non-zero status written is a failure with its stderr', async () => {
    const result = await registry.provider('fixprov').run(task(TaskName.Delete, { config: { mode: 'refuse' } }), recordingHooks().hooks);
    expect(result).toMatchObject({ status: 4, stderr: 'refused to delete' });
  });

  it('a task name the provider does not handle is a failure, not a throw', async () => {
    const result = await registry.provider('fixprov').run(task(TaskName.Install), recordingHooks().hooks);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('provider "fixprov" has no install() for INSTALL');
  });
});

describe('a class automator', () => {
  const fields = { region: 'eu' };

  it('BOOTSTRAP gets sshauth from ssh-auth + ipaddress (and the pinned host key)', async () => {
    const result = await registry.automator('fixauto').run(task(TaskName.Bootstrap, { config: confirmed, fields }), recordingHooks().hooks);
    expect(result.result.bootstrapped).toEqual({ user: 'gw', keyName: 'k1', ipaddress: '10.0.0.5', hostKey: 'ssh-ed25519 AAAAfixture' });
  });

  it.each([
    [TaskName.Install, 'install'],
    [TaskName.Configure, 'configure'],
    [TaskName.Initialize, 'init'],
    [TaskName.Start, 'start'],
    [TaskName.Remove, 'remove'],
  ])('%s calls %s() with sshauth, the action script and data', async (taskName, method) => {
    const service = { name: 'db', action: { type: 'fixauto', script: `db-${method}.sh`, data: 'port=5432' } };
    const result = await registry.automator('fixauto').run(task(taskName, { config: confirmed, fields, service }), recordingHooks().hooks);
    expect(result.status).toBe(0);
    expect(result.result.method).toBe(method);
    if (method === 'install') {
      expect(result.result).toMatchObject({ script: 'db-install.sh', data: 'port=5432', sshauth: { user: 'gw', ipaddress: '10.0.0.5' } });
    }
    if (method === 'configure') expect(result.result.script).toBe('db-configure.sh');
  });

  it('STOP returning a non-zero status and stderr is a failure', async () => {
    const result = await registry.automator('fixauto').run(task(TaskName.Stop, { config: confirmed, fields }), recordingHooks().hooks);
    expect(result).toEqual({ status: 7, result: {}, stdout: '', stderr: 'would not stop' });
  });
});

describe('result rules', () => {
  const source = (Class: new () => Provider) => ({
    name: 'x',
    kind: 'provider' as const,
    descriptorFile: '/x.json',
    parameters: noParameters(),
    Class,
  });

  it('nothing set and a normal return is status 0; a non-integer status is a failure that says so', async () => {
    class Quiet extends Provider {
      create() {}
      confirm() {
        return { status: 'ok' as unknown as number };
      }
      delete() {}
    }
    expect(await runClassPlugin(source(Quiet), task(TaskName.Create), recordingHooks().hooks)).toEqual({
      status: 0,
      result: {},
      stdout: '',
      stderr: '',
    });
    const bad = await runClassPlugin(source(Quiet), task(TaskName.Confirm), recordingHooks().hooks);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('plugin set status to "ok", not an integer');
  });

  it('a returned result is merged over the written one; a thrown non-Error is reported too', async () => {
    class Both extends Provider {
      create() {
        this.result.result.a = 1;
        this.result.stdout = 'written';
        return { result: { b: 2 } };
      }
      confirm() {
        throw 'plain string';
      }
      delete() {}
    }
    expect(await runClassPlugin(source(Both), task(TaskName.Create), recordingHooks().hooks)).toEqual({
      status: 0,
      result: { a: 1, b: 2 },
      stdout: 'written',
      stderr: '',
    });
    expect(await runClassPlugin(source(Both), task(TaskName.Confirm), recordingHooks().hooks)).toMatchObject({
      status: 1,
      stderr: 'plain string',
    });
  });

  it('the plugin gets a copy of the task: what it changes does not reach the caller, and it sees the signal', async () => {
    let seen: AbortSignal | undefined;
    class Meddler extends Provider {
      create() {
        this.task.config.injected = true;
        seen = this.signal;
      }
      confirm() {}
      delete() {}
    }
    const t = task(TaskName.Create);
    const r = recordingHooks();
    await runClassPlugin(source(Meddler), t, r.hooks);
    expect(t.config).toEqual({});
    expect(seen).toBe(r.hooks.signal);
  });

  it('an automator class registered as a provider is refused when run', async () => {
    class Wrong extends Automator {
      bootstrap() {}
      install() {}
      configure() {}
      init() {}
      start() {}
      stop() {}
      remove() {}
    }
    const result = await runClassPlugin(source(Wrong as unknown as new () => Provider), task(TaskName.Create), recordingHooks().hooks);
    expect(result).toMatchObject({ status: 1 });
    expect(result.stderr).toContain('x is not a provider');
  });
});

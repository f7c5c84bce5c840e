// loomCluster end to end in one process, with the class fixture plugins (test/fixtures/plugins-cluster):
// the results flow, task.nodes, output capture, failures, secrets, dependencies only, teardown order.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loomCluster, serviceGroup } from '../../src/index.js';
import { tempDir } from '../helpers/temp.js';
import { waitForFile } from '../helpers/wait.js';
import { eventsOf, events, fixtureSpec, openCluster, recordingLogger, stateOnDisk, states } from './cluster-helpers.js';

const SECRET = 'sup3r-s3cret-t0ken';

describe('loomCluster: the mapping', () => {
  test('one group per node, one per service per node, each depending on its node and its dependencies only', () => {
    const groups = loomCluster(
      fixtureSpec('/x', {
        services: {
          db: { automator: 'recauto', actions: { install: {}, start: {}, stop: {} } },
          web: { automator: 'recauto', dependsOn: ['db'], actions: { configure: {} } },
          mon: { automator: 'recauto', needsNodes: true, actions: { start: {} } },
        },
        nodes: { n1: { services: ['db'] }, n2: { services: ['web', 'mon'] }, n3: { services: [] } },
      }),
    );
    expect(Object.keys(groups).sort()).toEqual(['db.n1', 'mon.n2', 'n1', 'n2', 'n3', 'web.n2']);
    expect(groups.n1!.dependsOn ?? []).toEqual([]);
    expect(groups['web.n2']!.dependsOn).toEqual(['n2', 'db.n1']);
    expect(groups['mon.n2']!.dependsOn!.sort()).toEqual(['n1', 'n2', 'n3']);
    expect(groups.n1!.provisioners().map((p) => p.report()[0])).toEqual([
      'n1:CREATE via provider "fakeprov": not run yet',
      'n1:CONFIRM via provider "fakeprov": not run yet',
      'n1:BOOTSTRAP:recauto via automator "recauto": not run yet',
    ]);
    expect(groups.n3!.provisioners()).toHaveLength(2); // no services, nothing to bootstrap
    expect(groups['db.n1']!.provisioners().map((p) => p.report()[0])).toEqual([
      'n1:INSTALL:db via automator "recauto": not run yet',
      'n1:START:db via automator "recauto": not run yet',
    ]);
  });

  test('a bad spec is refused naming the field', () => {
    expect(() => loomCluster(fixtureSpec('/x', { services: {}, nodes: { 'a.b': { services: [] } } }))).toThrow(/`nodes.a.b`/);
    expect(() =>
      loomCluster(
        fixtureSpec('/x', { services: { a: { automator: 'recauto', dependsOn: ['b'], actions: {} } }, nodes: { n: { services: ['a'] } } }),
      ),
    ).toThrow(/`services.a.dependsOn` names "b"/);
    expect(() =>
      loomCluster(
        fixtureSpec('/x', {
          services: {
            a: { automator: 'recauto', dependsOn: ['b'], actions: {} },
            b: { automator: 'recauto', dependsOn: ['a'], actions: {} },
          },
          nodes: { n: { services: ['a'] } },
        }),
      ),
    ).toThrow(/cycle: a → b → a/);
  });
});

describe('loomCluster: a run', () => {
  test('results flow to later tasks of the node, task.nodes, output kept, secrets never stored, teardown order', async () => {
    const dir = await tempDir('gw-loom-');
    const stateFile = join(dir, 'state.json');
    process.env.GW_FIXTURE_TOKEN = SECRET;
    const logger = recordingLogger();
    const spec = fixtureSpec(dir, {
      services: {
        db: {
          automator: 'recauto',
          actions: { install: { data: 'set:port=5432,role=db' }, configure: { data: 'set:role=primary' }, start: {}, stop: {}, remove: {} },
        },
        web: {
          automator: 'recauto',
          dependsOn: ['db'],
          needsNodes: true,
          actions: { configure: { data: 'set:x=1' }, stop: {}, remove: {} },
        },
      },
      nodes: { n1: { services: ['db'] }, n2: { services: ['web'] } },
    });
    spec.provider.fields = { dir, apiToken: { env: 'GW_FIXTURE_TOKEN' } };
    const scheduler = await openCluster(spec, stateFile, logger);
    try {
      const summary = await scheduler.run();
      expect(states(summary)).toMatchObject({ n1: 'provisioned', n2: 'provisioned', 'db.n1': 'provisioned', 'web.n2': 'provisioned' });

      // CONFIRM receives CREATE's providerid; the password field reached the plugin resolved.
      const [create] = eventsOf(dir, 'n1:CREATE');
      expect(create).toMatchObject({ adopted: false, tokenLength: SECRET.length });
      expect(eventsOf(dir, 'n1:CONFIRM')[0]!.providerid).toBe(create!.providerid);

      // Automators receive the address and ssh-auth from the provider.
      const install = eventsOf(dir, 'n1:INSTALL:db')[0]!;
      expect(install.sshauth).toEqual({ user: 'tester', keyName: 'k1', port: 2222, ipaddress: '192.0.2.1', hostKey: 'hk-n1' });
      expect(install.config).toMatchObject({ providerid: create!.providerid, ipaddress: '192.0.2.1' });

      // A key set by two tasks: the later wins in config, both are in results, and a warning names it.
      const start = eventsOf(dir, 'n1:START:db')[0]!;
      expect(start.config).toMatchObject({ role: 'primary', port: '5432' });
      expect(start.results).toMatchObject({ 'n1:INSTALL:db': { role: 'db' }, 'n1:CONFIGURE:db': { role: 'primary' } });
      expect(logger.warnings.filter((w) => w.includes('"role"'))).toHaveLength(1);
      expect(logger.warnings.join('\n')).toContain('n1:CONFIGURE:db sets result key "role", replacing the value n1:INSTALL:db set');

      // Results stay with their node: web on n2 sees n2's, not db's; task.nodes lists every node (needsNodes).
      const web = eventsOf(dir, 'n2:CONFIGURE:web')[0]!;
      expect(web.config).toMatchObject({ ipaddress: '192.0.2.2' });
      expect(web.config).not.toHaveProperty('role');
      expect(web.nodes).toEqual({
        n1: { hostname: 'n1', ipaddress: '192.0.2.1', services: ['db'] },
        n2: { hostname: 'n2', ipaddress: '192.0.2.2', services: ['web'] },
      });
      expect(install.nodes).toBeNull(); // db did not ask for the layout, so it does not wait for it

      // stdout and stderr of a successful task are kept and shown.
      const db = scheduler.status().find((g) => g.name === 'db.n1')!;
      const report = db.steps.flatMap((s) => s.report);
      expect(report).toContain('n1:INSTALL:db via automator "recauto": ok; result keys: port, role');
      expect(report).toContain('  stdout: n1:INSTALL:db line 2');
      expect(report).toContain('  stderr: n1:INSTALL:db said something on stderr');
      const node = scheduler.status().find((g) => g.name === 'n1')!;
      expect(node.steps[0]!.report).toContain('  stderr: create note for n1');

      // The password field is a reference in the state, never its text.
      const onDisk = stateOnDisk(stateFile);
      expect(onDisk).toContain('GW_FIXTURE_TOKEN');
      expect(onDisk).not.toContain(SECRET);

      const before = events(dir).length;
      const torn = await scheduler.teardown();
      expect(torn).toBeTruthy();
      const order = events(dir)
        .slice(before)
        .map((e) => e.task);
      expect(order.filter((t) => /STOP|REMOVE|DELETE/.test(t))).toHaveLength(6);
      const at = (t: string) => order.indexOf(t);
      for (const t of ['n2:STOP:web', 'n2:REMOVE:web', 'n1:STOP:db', 'n1:REMOVE:db', 'n1:DELETE', 'n2:DELETE'])
        expect(at(t), t).toBeGreaterThanOrEqual(0);
      expect(at('n2:STOP:web')).toBeLessThan(at('n2:REMOVE:web'));
      expect(at('n2:REMOVE:web')).toBeLessThan(at('n1:STOP:db')); // dependents first
      expect(at('n1:STOP:db')).toBeLessThan(at('n1:REMOVE:db'));
      expect(at('n1:REMOVE:db')).toBeLessThan(at('n1:DELETE'));
      expect(at('n2:REMOVE:web')).toBeLessThan(at('n2:DELETE'));
      expect(eventsOf(dir, 'n1:DELETE')[0]!.providerid).toBe(create!.providerid);
      expect(readdirSync(dir).filter((f) => f.startsWith('machine-'))).toEqual([]);
    } finally {
      await scheduler.close();
      delete process.env.GW_FIXTURE_TOKEN;
    }
    expect(stateOnDisk(stateFile)).not.toContain(SECRET);
  });

  test('a failed task fails its step with the node, task and plugin; its results are kept for status, not passed on', async () => {
    const dir = await tempDir('gw-loom-');
    const spec = fixtureSpec(dir, {
      services: { svc: { automator: 'recauto', actions: { install: { data: 'set:a=1' }, configure: { data: 'fail-once' }, start: {} } } },
      nodes: { n1: { services: ['svc'] } },
    });
    const scheduler = await openCluster(spec, join(dir, 'state.json'));
    try {
      const summary = await scheduler.run();
      expect(states(summary)['svc.n1']).toBe('failed');
      const group = scheduler.status().find((g) => g.name === 'svc.n1')!;
      const failed = group.steps[1]!;
      expect(failed.state).toBe('failed');
      expect(failed.error).toContain('Task n1:CONFIGURE:svc on node n1 (automator "recauto") failed with status 3: it broke');
      expect(failed.report).toContain(
        'n1:CONFIGURE:svc via automator "recauto": failed (status 3; its results are not passed on); result keys: brokenKey',
      );
      expect(failed.report).toContain('  stderr: it broke');
      expect(failed.report).toContain('  stdout: n1:CONFIGURE:svc line 2');
      expect(eventsOf(dir, 'n1:START:svc')).toEqual([]);
      expect(stateOnDisk(join(dir, 'state.json'))).toContain('from-a-failed-task'); // kept in its snapshot
      expect(JSON.stringify(group.output ?? null)).not.toContain('brokenKey');

      // Run again: the task succeeds this time; START sees the earlier results but nothing of the failed run.
      expect(states(await scheduler.run())['svc.n1']).toBe('provisioned');
      const start = eventsOf(dir, 'n1:START:svc')[0]!;
      expect(start.config).toMatchObject({ a: '1' });
      expect(JSON.stringify(start)).not.toContain('brokenKey');
      expect(eventsOf(dir, 'n1:INSTALL:svc')).toHaveLength(1); // a finished task is not run again
      await scheduler.teardown();
    } finally {
      await scheduler.close();
    }
  });

  test('a service waits only for its dependencies: a slow node does not hold an unrelated service', async () => {
    const dir = await tempDir('gw-loom-');
    const spec = fixtureSpec(dir, {
      services: {
        db: { automator: 'recauto', actions: { start: {} } },
        web: { automator: 'recauto', dependsOn: ['db'], actions: { start: {} } },
        cache: { automator: 'recauto', actions: { start: {} } },
      },
      nodes: { n1: { services: ['db'] }, n2: { services: ['cache'] }, n3: { services: ['web'] } },
    });
    spec.provider.fields = { dir, slowNode: 'n2' };
    const scheduler = await openCluster(spec, join(dir, 'state.json'));
    try {
      const run = scheduler.run();
      await waitForFile(join(dir, 'confirming-n2'), (t) => t !== '');
      await scheduler.waitFor(serviceGroup('web', 'n3')); // while n2 is still being confirmed
      expect(existsSync(join(dir, 'go-n2'))).toBe(false);
      expect(eventsOf(dir, 'n2:START:cache')).toEqual([]);
      expect(eventsOf(dir, 'n3:START:web')).toHaveLength(1);
      writeFileSync(join(dir, 'go-n2'), '');
      const summary = await run;
      expect(states(summary)['cache.n2']).toBe('provisioned');
      await scheduler.teardown();
    } finally {
      await scheduler.close();
    }
  });

  test('teardown without force stops at a failed DELETE; with force it goes on and names the failure', async () => {
    const dir = await tempDir('gw-loom-');
    const spec = fixtureSpec(dir, {
      services: { svc: { automator: 'recauto', actions: { start: {}, stop: {} } } },
      nodes: { n1: { services: ['svc'] }, n2: { services: [] } },
    });
    spec.provider.fields = { dir, refuseDelete: 'n1' };
    const scheduler = await openCluster(spec, join(dir, 'state.json'));
    try {
      expect((await scheduler.run()).ok).toBe(true);
      const refused = await scheduler.teardown();
      expect(refused.failed.map((f) => f.group)).toEqual(['n1']);
      expect(refused.failed[0]!.error).toContain(
        'Task n1:DELETE on node n1 (provider "fakeprov") failed with status 4: the provider refused to delete it',
      );
      const forced = await scheduler.teardown({ force: true });
      expect(forced.ok).toBe(true);
      expect(forced.forcedFailures.map((f) => [f.group, f.message])).toEqual([
        ['n1', expect.stringContaining('Task n1:DELETE on node n1 (provider "fakeprov") failed with status 4')],
      ]);
      expect(scheduler.status()).toEqual([]);
      expect(eventsOf(dir, 'n1:STOP:svc')).toHaveLength(1); // the service was stopped before, once
    } finally {
      await scheduler.close();
    }
  });

  test('an executable automator (python) in a cluster: same results flow, checkpoints and output', async () => {
    const dir = await tempDir('gw-loom-');
    const spec = fixtureSpec(dir, {
      services: {
        db: { automator: 'recauto', actions: { install: { data: 'set:port=5432' } } },
        tool: { automator: 'exeauto', dependsOn: ['db'], actions: { install: {}, configure: { data: 'fail' } } },
      },
      nodes: { n1: { services: ['db', 'tool'] } },
    });
    const scheduler = await openCluster(spec, join(dir, 'state.json'));
    try {
      expect(states(await scheduler.run())['tool.n1']).toBe('failed');
      const [install, configure] = scheduler.status().find((g) => g.name === 'tool.n1')!.steps;
      expect(install!.report).toEqual([
        'n1:INSTALL:tool via automator "exeauto": ok; result keys: exe_checkpointed, exe_saw_ip, exe_saw_port',
        '  stdout: n1:INSTALL:tool ran',
        '  stderr: n1:INSTALL:tool on stderr',
      ]);
      expect(configure!.error).toContain('Task n1:CONFIGURE:tool on node n1 (automator "exeauto") failed with status 5');
      expect(configure!.report).toContain('  stderr: n1:CONFIGURE:tool on stderr');
      // It saw its node's address and the port db's INSTALL set (both in its recorded result).
      const onDisk = stateOnDisk(join(dir, 'state.json'));
      expect(onDisk).toContain('"exe_saw_ip":"192.0.2.1"');
      expect(onDisk).toContain('"exe_saw_port":"5432"');
      await scheduler.teardown();
    } finally {
      await scheduler.close();
    }
  });
});

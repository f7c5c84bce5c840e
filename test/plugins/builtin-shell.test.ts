// The built-in shell automator on the built-in local provider (no root needed): arguments arrive escaped,
// gw-task reads the task, $GW_RESULT becomes the result, output is kept on success and failure, a command
// that runs too long is stopped, and teardown removes what BOOTSTRAP copied.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from 'vitest';
import { fixture } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { openCluster, states } from './cluster-helpers.js';

const DATA = `it's "quoted" $HOME; rm -rf /nope`;

test('shell automator over the local provider', async () => {
  const dir = await tempDir('gw-loom-shell-');
  const remoteDir = join(dir, 'remote');
  const scheduler = await openCluster(
    {
      provider: { type: 'local' },
      automators: { shell: { fields: { scriptsDir: fixture('plugins-cluster/shell-scripts'), remoteDir } } },
      services: {
        a: { automator: 'shell', actions: { install: { script: 'echo-args.sh', data: DATA }, start: { script: 'fail.sh' } } },
        b: { automator: 'shell', fields: { commandTimeoutMs: '300' }, actions: { install: { script: 'slow.sh' } } },
      },
      nodes: { n1: { services: ['a'] }, n2: { services: ['b'] } },
    },
    join(dir, 'state.json'),
  );
  try {
    const summary = await scheduler.run();
    expect(states(summary)).toMatchObject({ n1: 'provisioned', n2: 'provisioned', 'a.n1': 'failed', 'b.n2': 'failed' });
    const steps = (group: string) => scheduler.status().find((g) => g.name === group)!.steps;

    const [install, start] = steps('a.n1');
    expect(install!.report).toEqual([
      'n1:INSTALL:a via automator "shell": ok; result keys: argc',
      `  stdout: [${DATA}]`,
      '  stdout: node address: 127.0.0.1',
      `  stdout: data: ${DATA}`,
      '  stderr: note on stderr',
    ]);
    expect(start!.error).toContain('Task n1:START:a on node n1 (automator "shell") failed with status 7: bad thing happened');
    expect(start!.report).toContain('  stdout: about to fail');
    expect(start!.report).toContain('  stderr: bad thing happened');

    const [slow] = steps('b.n2');
    expect(slow!.error).toContain('slow.sh timed out after 300 ms');

    await scheduler.teardown({ force: true });
    expect(existsSync(remoteDir)).toBe(false); // BOOTSTRAP's copy removed at teardown, and the emptied folder with it
  } finally {
    await scheduler.close();
  }
});

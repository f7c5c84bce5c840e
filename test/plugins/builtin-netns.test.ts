// examples/loom end to end against real network namespaces through the command line: the built-in netns
// provider and shell automator; status shows each task's result keys and output; teardown leaves nothing.
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTasks } from '../helpers/cli.js';
import { namespaces, netnsAvailable, removeNamespacesWithPrefix, uniquePrefix } from '../helpers/netns.js';
import { ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

const CONFIG = join(ROOT, 'examples/loom/groundwork.config.ts');
const prefix = uniquePrefix();

afterAll(() => removeNamespacesWithPrefix(prefix));

interface Output {
  tasks: Record<string, { result: Record<string, unknown> }>;
}

function firstLine(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, host);
    let text = '';
    socket.on('data', (d) => (text += d.toString()));
    socket.on('end', () => resolve(text.trim()));
    socket.on('error', reject);
  });
}

describe('examples/loom', () => {
  it.runIf(netnsAvailable)(
    'provisions three netns nodes with db and web, shows each task in status, and teardown leaves nothing',
    async () => {
      const dir = await tempDir('gw-loom-example-');
      const args = ['--config', CONFIG, '--state', join(dir, 'state.json')];
      const env = { ...process.env, GW_LOOM_PREFIX: prefix };
      try {
        const up = await runTasks(['provision', ...args], { env, timeoutMs: 150_000 });
        expect(up.code, up.stderr).toBe(0);

        const status = await runTasks(['status', ...args], { env });
        expect(status.stdout).toContain('node1:CONFIRM via provider "netns": ok; result keys: ipaddress, ssh-auth, hostkey');
        expect(status.stdout).toContain('node1:START:db via automator "shell": ok; result keys: db_port');
        expect(status.stdout).toMatch(/stdout: db listening on 10\.217\.\d+\.\d+:5433/);
        expect(status.stdout).toContain('node3:CONFIGURE:web via automator "shell": ok; result keys: db_address');

        const json = JSON.parse((await runTasks(['status', '--json', ...args], { env })).stdout) as {
          stateId: string;
          groups: { name: string; output: Output | null; steps: { report: string[] }[] }[];
        };
        const output = (name: string) => json.groups.find((g) => g.name === name)!.output!;
        const dbAddress = output('node1').tasks['node1:CONFIRM']!.result.ipaddress as string;
        for (const web of ['node2', 'node3']) {
          // CONFIGURE read the db's address from task.nodes; the server it started says so.
          const tasks = output(`web.${web}`).tasks;
          expect(tasks[`${web}:CONFIGURE:web`]!.result.db_address).toBe(dbAddress);
          const answer = await fetch(tasks[`${web}:START:web`]!.result.url as string);
          expect(await answer.text()).toContain(`its db is at ${dbAddress}:5433`);
        }
        expect(await firstLine(dbAddress, 5433)).toBe(`hello from db at ${dbAddress}:5433`);
        // The ssh-auth result names the key, never its text.
        expect(JSON.stringify(json)).not.toContain('PRIVATE KEY');
        const nodeDir = `/tmp/groundwork-shell/${json.stateId}`;
        expect(existsSync(`${nodeDir}/node1/scripts/db-start.sh`)).toBe(true);

        const down = await runTasks(['teardown', ...args], { env, timeoutMs: 120_000 });
        expect(down.code, down.stderr).toBe(0);
        expect((await namespaces()).filter((n) => n.startsWith(`${prefix}-`))).toEqual([]);
        expect(existsSync(nodeDir)).toBe(false);
      } finally {
        await runTasks(['teardown', '--force', ...args], { env, timeoutMs: 120_000 });
      }
    },
    400_000,
  );
});

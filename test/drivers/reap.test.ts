import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { Machines, Scheduler } from '../../src/index.js';
import { runMain } from '../helpers/cli-in-process.js';
import { keyFolder, namespaces, pidsIn, removeNamespacesWithPrefix, netnsAvailable, uniquePrefix } from '../helpers/netns.js';
import { readRawState, writeRawState } from '../helpers/state.js';
import { tempDir } from '../helpers/temp.js';

const prefix = uniquePrefix();
afterEach(() => removeNamespacesWithPrefix(prefix));

it.runIf(netnsAvailable)(
  "reap finds a namespace whose record was deleted, lists it with --dry-run, removes it, and leaves the state's own",
  async () => {
    const dir = await tempDir('gw-reap-');
    const keys = await keyFolder(dir, 'demo');
    const stateFile = join(dir, 'state.json');
    const machines = (name: string) => [
      new Machines({
        driver: `netns:${join(dir, 'netns')}`,
        driverConfig: { prefix, subnet: '10.236.0.0/16' },
        machines: [name],
        keyName: 'demo',
        keyPaths: [keys],
      }),
    ];
    const s = await Scheduler.open({ stateFile });
    try {
      await s.scheduleAll([
        { name: 'a', provisioners: machines('a1') },
        { name: 'b', provisioners: machines('b1') },
      ]);
      expect((await s.run()).ok).toBe(true);
    } finally {
      await s.close();
    }
    const raw = readRawState(stateFile);
    const tag = `${prefix}-${raw.id.replace(/-/g, '').slice(0, 8)}-`;
    expect((await namespaces()).filter((n) => n.startsWith(tag)).sort()).toEqual([`${tag}a1`, `${tag}b1`]);
    const sshdOfB = await pidsIn(`${tag}b1`);
    expect(sshdOfB.length).toBeGreaterThan(0);
    // The record of b's machine is lost (as if the process died between create and record).
    delete raw.groups.b;
    writeRawState(stateFile, raw);

    const listed = await runMain(['reap', '--dry-run', '--state', stateFile]);
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toContain(`Would remove 1 orphaned machine(s) of state ${raw.id}:\n  ${tag}b1  (netns:${join(dir, 'netns')})`);
    expect((await namespaces()).filter((n) => n.startsWith(tag)).sort()).toEqual([`${tag}a1`, `${tag}b1`]);

    const reaped = await runMain(['reap', '--state', stateFile]);
    expect(reaped.code, reaped.stderr).toBe(0);
    expect(reaped.stdout).toContain(`Removed 1 orphaned machine(s)`);
    expect((await namespaces()).filter((n) => n.startsWith(tag))).toEqual([`${tag}a1`]);
    for (const pid of sshdOfB) expect(() => process.kill(pid, 0)).toThrow();

    const down = await runMain(['teardown', '--state', stateFile]);
    expect(down.code, down.stderr).toBe(0);
    expect((await namespaces()).filter((n) => n.startsWith(tag))).toEqual([]);
  },
);

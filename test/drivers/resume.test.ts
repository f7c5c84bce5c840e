import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { spawnTs } from '../helpers/children.js';
import {
  hostLinks,
  keyFolder,
  namespaces,
  processesUsing,
  removeNamespacesWithPrefix,
  netnsAvailable,
  uniquePrefix,
} from '../helpers/netns.js';
import { readRawState } from '../helpers/state.js';
import { tempDir } from '../helpers/temp.js';

const prefix = uniquePrefix();
const CONFIG = 'test/fixtures/machines/netns-config.ts';
afterEach(() => removeNamespacesWithPrefix(prefix));

function cli(dir: string, args: string[], failpoint?: string) {
  return spawnTs(['tasks.ts', ...args, '--config', CONFIG], {
    GW_TEST_DIR: dir,
    GW_TEST_PREFIX: prefix,
    GW_TEST_SUBNET: '10.234.0.0/16',
    GROUNDWORK_FAILPOINT: failpoint,
  });
}

const ours = async () => (await namespaces()).filter((n) => n.startsWith(`${prefix}-`)).sort();

it.runIf(netnsAvailable)(
  'kill -9 in the middle of allocate and then of ready: resume makes no duplicate, teardown leaves nothing',
  async () => {
    const dir = await tempDir('gw-resume-');
    await keyFolder(dir, 'demo');
    const driverDir = join(dir, 'netns');

    // Killed right after creating a namespace, before recording it.
    const first = cli(dir, ['provision'], 'netns-after-create:kill');
    expect((await first.exited).signal).toBe('SIGKILL');
    const orphaned = await ours();
    expect(orphaned.length).toBeGreaterThanOrEqual(1);
    const saved = readRawState(join(dir, 'state.json')).groups.hosts!.steps[0]!.provisioner.fields.json;
    expect(saved.stage).toBe('new');

    // Resumed, then killed right after starting (and recording) an sshd.
    const second = cli(dir, ['provision'], 'netns-after-sshd:kill');
    expect((await second.exited).signal).toBe('SIGKILL');
    const state = readRawState(join(dir, 'state.json'));
    const tag = `${prefix}-${state.id.replace(/-/g, '').slice(0, 8)}-`;
    expect(await ours()).toEqual([`${tag}web1`, `${tag}web2`]);
    expect(state.groups.hosts!.steps[0]!.provisioner.fields.json.stage).toBe('allocated');
    const sshdBefore = processesUsing(driverDir);
    expect(sshdBefore.length).toBeGreaterThanOrEqual(1);

    // Resumed to the end: the same two namespaces, the sshd started before the kill adopted.
    const third = cli(dir, ['provision']);
    expect((await third.exited).code, third.stderr()).toBe(0);
    expect(await ours()).toEqual([`${tag}web1`, `${tag}web2`]);
    const sshdAfter = processesUsing(driverDir);
    expect(sshdAfter).toHaveLength(2);
    for (const pid of sshdBefore) expect(sshdAfter).toContain(pid);

    const status = cli(dir, ['status']);
    expect((await status.exited).code).toBe(0);
    expect(status.stdout()).toContain('stage converged');
    expect(status.stdout()).toMatch(/web1 {2}root@10\.234\.\d+\.\d+:22 namespace/);

    const down = cli(dir, ['teardown']);
    expect((await down.exited).code, down.stderr()).toBe(0);
    expect(await ours()).toEqual([]);
    expect((await hostLinks()).filter((l) => l.ifalias?.startsWith(`${prefix}-`))).toEqual([]);
    expect(processesUsing(driverDir)).toEqual([]);
  },
);

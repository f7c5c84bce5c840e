// What a step's records carry besides its state: its report lines, the failing provisioner's
// stack; and a failed group's timing, which counts its own attempt.
import { expect, test } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { registerProvisioner, Scheduler } from '../../src/index.js';
import { groupOutput, REDACTED } from '../../src/scheduler/group-output.js';
import type { GroupRecord } from '../../src/state/types.js';
import { StubProvisioner, Tagged } from '../helpers/provisioners.js';
import { readRawState } from '../helpers/state.js';
import { tempStateFile } from '../helpers/temp.js';

class Explodes extends StubProvisioner {
  override startup(): unknown {
    return explodeInAPlaceWithAName();
  }
  override report() {
    return ['about to explode'];
  }
}
registerProvisioner(Explodes);

function explodeInAPlaceWithAName(): never {
  throw new Error('boom');
}

/** Each now() is one second after the last. */
function ticking(): Clock {
  let t = Date.parse('2001-02-03T04:05:06.000Z');
  return { now: () => new Date((t += 1000)), mark: () => () => 42 };
}

test('a done step records its report lines, a failed one its report and the stack of what threw', async () => {
  const file = await tempStateFile();
  await using s = await Scheduler.open({ stateFile: file });
  await s.schedule('ok', [new Tagged('t1'), new Tagged('t2')]);
  await s.schedule('bad', [new Explodes()]);
  await s.run();

  const raw = readRawState(file).groups as unknown as Record<string, GroupRecord>;
  expect(raw.ok!.steps.map((st) => st.report)).toEqual([['t1'], ['t2']]);
  const failed = raw.bad!.steps[0]!;
  expect(failed.report).toEqual(['about to explode']);
  expect(failed.error?.stack).toMatch(/^Error: boom\n\s+at explodeInAPlaceWithAName/);
  expect(raw.bad!.error?.stack).toBe(failed.error?.stack);
  expect(s.status().find((g) => g.name === 'bad')!.steps[0]!.stack).toBe(failed.error?.stack);
});

test("a group that fails again is timed from this run's start, not across runs", async () => {
  const file = await tempStateFile();
  const clock = ticking();
  await using s = await Scheduler.open({ stateFile: file, clock });
  await s.schedule('bad', [new Explodes()]);
  await s.run();
  const [first] = s.status();
  await s.run();
  const [second] = s.status();
  expect(Date.parse(second!.startedAt!)).toBeGreaterThan(Date.parse(first!.finishedAt!));
  expect(second!.durationMs).toBe(Date.parse(second!.finishedAt!) - Date.parse(second!.startedAt!));
  expect(second!.durationMs).toBe(first!.durationMs); // the same work, the same number of clock reads
});

test('an output keeps its keys; secret-looking values and private key text are redacted', () => {
  const output = {
    user: 'app',
    password: 'hunter2',
    nested: { apiKey: 'k-123', token: { value: 'x' }, passive: 'yes' },
    machines: [{ name: 'm1', keyName: 'id_ed25519', hostKey: 'ssh-ed25519 AAAA', pem: '-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n' }],
  };
  const record: GroupRecord = {
    name: 'db',
    dependsOn: [],
    state: 'provisioned',
    scheduledAt: '2001-01-01T00:00:00.000Z',
    steps: [{ provisioner: { class: 'X', fields: { json: {} } }, state: 'done', output: { json: output } }],
  };
  expect(groupOutput(record)).toEqual({
    user: 'app',
    password: REDACTED,
    nested: { apiKey: REDACTED, token: REDACTED, passive: 'yes' },
    machines: [{ name: 'm1', keyName: 'id_ed25519', hostKey: 'ssh-ed25519 AAAA', pem: REDACTED }],
  });
  expect(groupOutput({ ...record, steps: [{ ...record.steps[0]!, state: 'failed' }] })).toBeUndefined();
});

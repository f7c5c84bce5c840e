import { Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, onTestFinished, test } from 'vitest';
import {
  GroupState,
  HttpCheck,
  LocalCommand,
  LocalService,
  NotSerializableError,
  Scheduler,
  StepState,
  registerProvisioner,
  type Provisioner,
  type ProvisionerClass,
} from '../../src/index.js';
import { readStateFile } from '../../src/state/file-store.js';
import { StubProvisioner } from '../helpers/provisioners.js';
import { tempDir } from '../helpers/temp.js';

// ---------------------------------------------------------------------------
// Provisioners that can be snapshotted.

class Plain extends StubProvisioner {
  constructor(public label = 'plain') {
    super();
  }
  override startup(input: unknown) {
    return { label: this.label, input };
  }
  override report() {
    return [this.label];
  }
}
registerProvisioner(Plain, 'snapshot-test:Plain');

/** A registered class used only as a nested value inside another provisioner's field. */
class Endpoint {
  constructor(
    public host: string,
    public port: number,
  ) {}
  address(): string {
    return `${this.host}:${this.port}`;
  }
}
registerProvisioner(Endpoint as unknown as ProvisionerClass, 'snapshot-test:Endpoint');

// Module-level counters: the only way to see that revival skips the constructor.
const calls = { constructed: 0, revived: 0 };
const seenInRevive: { format: unknown; secret: unknown }[] = [];
const seenInShutdown: Record<string, unknown>[] = [];

class Rich implements Provisioner {
  static transient = ['format', 'secret'];
  name = '';
  createdAt: Date;
  tags: Map<string, number>;
  endpoint: Endpoint;
  nested: { list: (string | number)[]; deep: { ok: boolean } };
  startedWith: unknown = undefined;
  /** Transient: a function, which could not be saved. */
  format: ((s: string) => string) | undefined;
  /** Transient: plain data that must still not reach the state file. */
  secret: string | undefined;

  constructor() {
    calls.constructed++;
    this.createdAt = new Date('2024-05-06T07:08:09.010Z');
    this.tags = new Map([
      ['alpha', 1],
      ['beta', 2],
    ]);
    this.endpoint = new Endpoint('db.internal', 5432);
    this.nested = { list: ['a', 1], deep: { ok: true } };
    this.format = (s) => `<${s}>`;
    this.secret = 'do-not-save-me';
  }

  revive(): void {
    calls.revived++;
    seenInRevive.push({ format: this.format, secret: this.secret });
    this.format = (s) => `[${s}]`;
  }

  startup(input: unknown) {
    this.startedWith = { input };
    return { ok: true };
  }

  shutdown() {
    seenInShutdown.push({
      isRich: this instanceof Rich,
      createdAt: this.createdAt,
      tags: this.tags,
      endpoint: this.endpoint,
      endpointIsInstance: this.endpoint instanceof Endpoint,
      endpointAddress: this.endpoint instanceof Endpoint ? this.endpoint.address() : undefined,
      nested: this.nested,
      startedWith: this.startedWith,
      formatted: this.format?.('x'),
      secret: this.secret,
    });
    return true;
  }

  report() {
    return [
      `createdAt=${this.createdAt instanceof Date ? this.createdAt.toISOString() : 'not a Date'}`,
      `tags=${this.tags instanceof Map ? JSON.stringify([...this.tags]) : 'not a Map'}`,
      `endpoint=${this.endpoint instanceof Endpoint ? this.endpoint.address() : 'not an Endpoint'}`,
      `nested=${JSON.stringify(this.nested)}`,
      `startedWith=${JSON.stringify(this.startedWith)}`,
      `format=${this.format ? this.format('x') : 'missing'}`,
      `secret=${String(this.secret)}`,
    ];
  }
}
registerProvisioner(Rich, 'snapshot-test:Rich');

// ---------------------------------------------------------------------------
// Provisioners that cannot be snapshotted (all but Unregistered are registered).
// Each is a StubProvisioner (startup true, shutdown true, no report) plus what makes it unsavable.

class WithFunction extends StubProvisioner {
  onReady = () => 'ready';
}
registerProvisioner(WithFunction, 'snapshot-test:WithFunction');

class WithSocket extends StubProvisioner {
  conn = new Socket();
}
registerProvisioner(WithSocket, 'snapshot-test:WithSocket');

class WithPrivateField extends StubProvisioner {
  #token = 'secret';
  override startup() {
    return this.#token;
  }
}
registerProvisioner(WithPrivateField, 'snapshot-test:WithPrivateField');

class WithPrivateMethod extends StubProvisioner {
  override startup() {
    return this.#compute();
  }
  #compute() {
    return 42;
  }
}
registerProvisioner(WithPrivateMethod, 'snapshot-test:WithPrivateMethod');

class Unregistered extends StubProvisioner {}

class Helper {
  value = 1;
}

class WithNestedUnregistered extends StubProvisioner {
  meta = { owner: 'team', extra: { helper: new Helper() } };
}
registerProvisioner(WithNestedUnregistered, 'snapshot-test:WithNestedUnregistered');

class ReturnsFunction extends StubProvisioner {
  override startup() {
    return function makeClient() {
      return 'client';
    };
  }
}
registerProvisioner(ReturnsFunction, 'snapshot-test:ReturnsFunction');

/** A registered class with transient fields of its own, nested in a provisioner's field. */
class Credentials {
  static transient = ['password', 'sign'];
  password: string | undefined = 'nested-password-do-not-save';
  sign: ((s: string) => string) | undefined = (s) => `signed:${s}`;
  constructor(public user = 'admin') {}
}
registerProvisioner(Credentials as unknown as ProvisionerClass, 'snapshot-test:Credentials');

const seenCredentials: unknown[] = [];

class WithCredentials extends StubProvisioner {
  credentials = new Credentials('svc');
  override shutdown() {
    seenCredentials.push(this.credentials);
    return true;
  }
}
registerProvisioner(WithCredentials, 'snapshot-test:WithCredentials');

// ---------------------------------------------------------------------------

async function openTemp(): Promise<{ dir: string; file: string; scheduler: Scheduler }> {
  const dir = await tempDir();
  const file = join(dir, 'state.json');
  const scheduler = await Scheduler.open({ stateFile: file });
  onTestFinished(() => scheduler.close());
  return { dir, file, scheduler };
}

interface BadCase {
  title: string;
  make: () => Provisioner;
  className: string;
  /** The field path the message must name (none for a class that is itself unregistered). */
  path: string | undefined;
  reason: RegExp;
}

const badCases: BadCase[] = [
  { title: 'a function field', make: () => new WithFunction(), className: 'WithFunction', path: 'onReady', reason: /is a function/ },
  {
    title: 'a net.Socket field',
    make: () => new WithSocket(),
    className: 'WithSocket',
    path: 'conn',
    reason: /instance of Socket, which is not registered/,
  },
  {
    title: 'a #private field',
    make: () => new WithPrivateField(),
    className: 'WithPrivateField',
    path: '#token',
    reason: /#private member/,
  },
  {
    title: 'a #private method',
    make: () => new WithPrivateMethod(),
    className: 'WithPrivateMethod',
    path: '#compute',
    reason: /#private member/,
  },
  {
    title: 'an unregistered class',
    make: () => new Unregistered(),
    className: 'Unregistered',
    path: undefined,
    reason: /class Unregistered is not registered/,
  },
  {
    title: 'an unregistered class nested in a plain-object field',
    make: () => new WithNestedUnregistered(),
    className: 'WithNestedUnregistered',
    path: 'meta.extra.helper',
    reason: /instance of Helper, which is not registered/,
  },
];

describe('refused at schedule time', () => {
  test.each(badCases)('scheduleAll refuses $title, atomically', async ({ make, className, path, reason }) => {
    const { file, scheduler } = await openTemp();
    await scheduler.schedule('existing', [new Plain()]);
    const before = await readFile(file);

    const error = await scheduler
      .scheduleAll([
        { name: 'fine', provisioners: [new Plain()] },
        { name: 'bad', provisioners: [new Plain('first'), make()], dependsOn: ['fine'] },
      ])
      .then(
        () => undefined,
        (e: unknown) => e,
      );

    expect(error).toBeInstanceOf(NotSerializableError);
    const e = error as NotSerializableError;
    expect(e.code).toBe('GW_NOT_SERIALIZABLE');
    expect(e.message).toContain('Group "bad"');
    expect(e.message).toContain('step 2');
    expect(e.message).toContain(className);
    expect(e.message).toMatch(reason);
    expect(e.group).toBe('bad');
    expect(e.provisioner).toBe(className);
    if (path !== undefined) {
      expect(e.message).toContain(`\`${path}\``);
      expect(e.path).toBe(path);
    }

    // Nothing of the refused batch reached memory or the file.
    expect(scheduler.groups()).toEqual(['existing']);
    expect(await readFile(file)).toEqual(before);
    const saved = await readStateFile(file);
    expect(Object.keys(saved!.groups)).toEqual(['existing']);
  });

  test.each(badCases)('schedule refuses $title', async ({ make, className, path }) => {
    const { file, scheduler } = await openTemp();

    const error = await scheduler.schedule('lonely', [make()]).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(NotSerializableError);
    const e = error as NotSerializableError;
    expect(e.message).toContain('Group "lonely"');
    expect(e.message).toContain(className);
    if (path !== undefined) expect(e.message).toContain(path);
    expect(scheduler.groups()).toEqual([]);
    // The state was never written, or if it was, it holds no group.
    const saved = await readStateFile(file);
    expect(saved === undefined || Object.keys(saved.groups).length === 0).toBe(true);
  });

  test('the built-in provisioners pass the schedule-time check', async () => {
    const { scheduler } = await openTemp();
    expect(await scheduler.schedule('svc', [new LocalService({ command: process.execPath, args: ['-e', ''], port: 'auto' })])).toBe(true);
    expect(await scheduler.schedule('check', [new HttpCheck({ url: 'http://127.0.0.1:1/' })])).toBe(true);
    // LocalCommand is shipped and registered, so it must be schedulable like the others.
    expect(await scheduler.schedule('cmd', [new LocalCommand({ command: process.execPath, args: ['-e', ''] })])).toBe(true);
    expect(scheduler.groups()).toEqual(['svc', 'check', 'cmd']);
  });

  test('the check does not reject plain data of every supported kind (control)', async () => {
    const { scheduler } = await openTemp();
    const rich = new Rich();
    expect(await scheduler.schedule('ok', [rich])).toBe(true);
    expect(scheduler.groups()).toEqual(['ok']);
  });
});

describe('round trip of a registered class', () => {
  test('fields survive a reopen; constructor skipped, revive() called, transient fields not saved', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state.json');

    const first = await Scheduler.open({ stateFile: file });
    try {
      await first.schedule('rich', [new Plain('upstream'), new Rich()]);
      const summary = await first.run();
      expect(summary.ok).toBe(true);
    } finally {
      await first.close();
    }

    // The transient fields never reached the file; the others did.
    const text = await readFile(file, 'utf8');
    expect(text).not.toContain('do-not-save-me');
    const saved = await readStateFile(file);
    const richStep = saved!.groups.rich!.steps[1]!;
    expect(richStep.state).toBe(StepState.Done);
    expect(richStep.provisioner.class).toBe('snapshot-test:Rich');
    const savedKeys = Object.keys(richStep.provisioner.fields.json as Record<string, unknown>);
    expect(savedKeys).not.toContain('format');
    expect(savedKeys).not.toContain('secret');
    expect(savedKeys).toEqual(expect.arrayContaining(['createdAt', 'tags', 'endpoint', 'nested', 'startedWith']));

    const constructedBefore = calls.constructed;
    const revivedBefore = calls.revived;
    seenInRevive.length = 0;
    seenInShutdown.length = 0;

    const second = await Scheduler.open({ stateFile: file });
    try {
      const status = second.status();
      const group = status.find((g) => g.name === 'rich')!;
      expect(group.state).toBe(GroupState.Provisioned);
      expect(group.steps[1]!.report).toEqual([
        'createdAt=2024-05-06T07:08:09.010Z',
        'tags=[["alpha",1],["beta",2]]',
        'endpoint=db.internal:5432',
        'nested={"list":["a",1],"deep":{"ok":true}}',
        'startedWith={"input":{"label":"upstream","input":null}}',
        // revive() rebuilt the transient function; the transient data stayed unset.
        'format=[x]',
        'secret=undefined',
      ]);
      expect(calls.revived).toBe(revivedBefore + 1);
      // Transient fields were undefined when revive() ran.
      expect(seenInRevive).toEqual([{ format: undefined, secret: undefined }]);

      await second.deprovision('rich');
      expect(second.groups()).toEqual([]);
    } finally {
      await second.close();
    }

    expect(seenInShutdown).toHaveLength(1);
    const seen = seenInShutdown[0]!;
    expect(seen.isRich).toBe(true);
    expect(seen.createdAt).toBeInstanceOf(Date);
    expect((seen.createdAt as Date).toISOString()).toBe('2024-05-06T07:08:09.010Z');
    expect(seen.tags).toBeInstanceOf(Map);
    expect([...(seen.tags as Map<string, number>)]).toEqual([
      ['alpha', 1],
      ['beta', 2],
    ]);
    expect(seen.endpointIsInstance).toBe(true);
    expect(seen.endpoint).toEqual(new Endpoint('db.internal', 5432));
    expect(seen.endpointAddress).toBe('db.internal:5432');
    expect(seen.nested).toEqual({ list: ['a', 1], deep: { ok: true } });
    expect(seen.startedWith).toEqual({ input: { label: 'upstream', input: null } });
    expect(seen.formatted).toBe('[x]');
    expect(seen.secret).toBeUndefined();

    // status() and the shutdown both revived it (twice in all); the constructor never ran.
    expect(calls.revived).toBe(revivedBefore + 2);
    expect(calls.constructed).toBe(constructedBefore);
  });

  test('a nested registered instance is saved without its own transient fields', async () => {
    const dir = await tempDir();
    const file = join(dir, 'state.json');
    const first = await Scheduler.open({ stateFile: file });
    try {
      // The schedule-time check skips the nested transient fields, so this is accepted...
      expect(await first.schedule('creds', [new WithCredentials()])).toBe(true);
      // Run it, so the deprovision below has a started step to shut down.
      expect((await first.run()).ok).toBe(true);
    } finally {
      await first.close();
    }
    // ...and they must then not be written either.
    expect(await readFile(file, 'utf8')).not.toContain('nested-password-do-not-save');

    seenCredentials.length = 0;
    const second = await Scheduler.open({ stateFile: file });
    try {
      await second.deprovision('creds');
    } finally {
      await second.close();
    }
    expect(seenCredentials).toHaveLength(1);
    const creds = seenCredentials[0] as Credentials;
    expect(creds).toBeInstanceOf(Credentials);
    expect(creds.user).toBe('svc');
    expect(creds.password).toBeUndefined();
  });
});

describe('startup return values', () => {
  test('a startup returning a function fails the step with a clear message', async () => {
    const { file, scheduler } = await openTemp();
    await scheduler.schedule('fn', [new Plain('before'), new ReturnsFunction(), new Plain('after')]);

    const summary = await scheduler.run();

    expect(summary.ok).toBe(false);
    const result = summary.groups.find((g) => g.group === 'fn')!;
    expect(result.state).toBe(GroupState.Failed);
    expect(result.error).toContain('Group "fn" step 2');
    expect(result.error).toContain('snapshot-test:ReturnsFunction');
    expect(result.error).toMatch(/is a function \(makeClient\)/);
    expect(result.error).toMatch(/return plain data/);

    const saved = await readStateFile(file);
    const group = saved!.groups.fn!;
    expect(group.state).toBe(GroupState.Failed);
    expect(group.steps.map((s) => s.state)).toEqual([StepState.Done, StepState.Failed, StepState.Pending]);
    expect(group.steps[1]!.output).toBeUndefined();
    expect(group.steps[1]!.error?.message).toMatch(/is a function/);
    expect(group.steps[1]!.error?.code).toBe('GW_STEP_FAILED');
    await expect(scheduler.waitFor('fn')).rejects.toThrow(/is a function/);
  });
});

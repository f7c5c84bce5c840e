// PostgresStore against a real PostgreSQL 15 (one throwaway cluster for the
// file, a database per test): the StateStore contract, the same records as
// the file store, the scheduler on top, and the schema version check.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import pg from 'pg';
import { Scheduler } from '../../../src/index.js';
import type { GroupRecord } from '../../../src/state/types.js';
import { JsonFileStore } from '../../../src/state/file-store.js';
import { PostgresStore } from '../../../src/state/postgres/postgres-store.js';
import { readPostgresState } from '../../../src/state/postgres/read.js';
import { SCHEMA_VERSION } from '../../../src/state/postgres/schema.js';
import { postgresAvailability, startPostgres, type StartedPostgres } from '../../helpers/postgres.js';
import { readPgState } from '../../helpers/pg-state.js';
import { calls, callIds, GwStep, resetFixtures, steps } from '../../helpers/scheduler.js';
import { tempDir, tempStateFile } from '../../helpers/temp.js';

const pgReady = await postgresAvailability();
if (!pgReady.available) console.warn(`skipping test/state/postgres/store.test.ts: ${pgReady.reason}`);

let cluster: StartedPostgres;
let n = 0;
/** A fresh database of the file's cluster. */
const freshDb = () => cluster.createDatabase(`store_${++n}`);

const record = (name: string, dependsOn: string[] = [], stepCount = 2): GroupRecord => ({
  name,
  dependsOn,
  state: 'pending',
  scheduledAt: '2026-01-01T00:00:00.000Z',
  steps: Array.from({ length: stepCount }, (_, i) => ({
    provisioner: { class: 'GwStep', fields: { json: { id: `${name}${i + 1}`, pause: false, name: '' } } },
    state: 'pending',
  })),
  fingerprint: [{ class: 'GwStep', fields: { id: JSON.stringify(name) } }],
});

describe.skipIf(!pgReady.available)('PostgresStore', () => {
  beforeAll(async () => {
    cluster = await startPostgres({ name: 'store' });
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
  });
  beforeEach(() => resetFixtures());

  it('creates the schema and the state on first open, and finds the same state again', async () => {
    const url = await freshDb();
    const store = new PostgresStore({ url, state: 'demo' });
    const first = await store.open();
    expect(first.groups).toEqual({});
    await store.close();
    const raw = await readPgState(url, 'demo');
    expect(raw.schemaVersion).toBe(String(SCHEMA_VERSION));
    expect(raw.state).toMatchObject({ name: 'demo', id: first.id, version: first.version });
    expect(raw.state!.createdAt.toISOString()).toBe(first.createdAt);
    const again = new PostgresStore({ url, state: 'demo' });
    const second = await again.open();
    await again.close();
    expect({ id: second.id, createdAt: second.createdAt }).toEqual({ id: first.id, createdAt: first.createdAt });
  });

  it('stores put, update and delete as the file store does (same records after reopening), in scheduling order', async () => {
    const url = await freshDb();
    const file = await tempStateFile('groundwork-pg-contract-');
    const apply = async (store: JsonFileStore | PostgresStore) => {
      await store.open();
      await store.putGroups([record('db'), record('app', ['db'], 3)]);
      await store.putGroups([record('cache')]);
      const app = record('app', ['db'], 3);
      const changed: GroupRecord = {
        ...app,
        state: 'provisioning',
        startedAt: '2026-01-01T00:00:01.000Z',
        steps: app.steps.map((s, i) =>
          i === 1 ? { ...s, state: 'done', output: { json: { port: 5432, nested: { list: [1, 'two', null] } } }, report: ['up'] } : s,
        ),
      };
      await store.updateGroup(changed, [1], true);
      const onlyStep: GroupRecord = { ...changed, steps: changed.steps.map((s, i) => (i === 2 ? { ...s, state: 'running' } : s)) };
      await store.updateGroup(onlyStep, [2], false);
      await store.deleteGroup('cache');
      await store.putGroups([record('db', [], 1)]); // replace with fewer steps
      await store.close();
    };
    await apply(new JsonFileStore(file));
    await apply(new PostgresStore({ url, state: 'contract' }));
    const fromFile = new JsonFileStore(file);
    const fromDb = new PostgresStore({ url, state: 'contract' });
    const a = await fromFile.open();
    const b = await fromDb.open();
    await fromFile.close();
    await fromDb.close();
    expect(b.groups).toEqual(a.groups);
    expect(Object.keys(b.groups)).toEqual(Object.keys(a.groups));
    expect(Object.keys(b.groups)).toEqual(['db', 'app']);

    // The independent reader sees the same rows: group record without steps, one row per step.
    const raw = await readPgState(url, 'contract');
    expect(raw.groups.map((g) => [g.name, g.steps.length])).toEqual([
      ['db', 1],
      ['app', 3],
    ]);
    const app = raw.groups[1]!;
    expect(app.record).not.toHaveProperty('steps');
    expect(app.record.state).toBe('provisioning');
    expect(app.steps.map((s) => s.record.state)).toEqual(['pending', 'done', 'running']);
    expect(app.steps[1]!.record.output).toEqual({ json: { port: 5432, nested: { list: [1, 'two', null] } } });
  });

  it('keeps several states in one database apart', async () => {
    const url = await freshDb();
    const one = new PostgresStore({ url, state: 'one' });
    const two = new PostgresStore({ url, state: 'two' });
    const [d1, d2] = await Promise.all([one.open(), two.open()]); // also: two processes migrating at once
    expect(d1.id).not.toBe(d2.id);
    await one.putGroups([record('db')]);
    await two.putGroups([record('db', [], 3), record('web')]);
    await one.deleteGroup('db');
    await Promise.all([one.close(), two.close()]);
    expect((await readPgState(url, 'one')).groups).toEqual([]);
    expect((await readPgState(url, 'two')).groups.map((g) => [g.name, g.steps.length])).toEqual([
      ['db', 3],
      ['web', 2],
    ]);
  });

  it('runs the scheduler: provision, a new process resumes from the database, teardown in reverse order', async () => {
    const url = await freshDb();
    const dataDir = await tempDir('groundwork-pg-data-');
    const open = () => Scheduler.open({ store: new PostgresStore({ url, state: 'sched', dataDir }) });
    const s = await open();
    await s.scheduleAll([
      { name: 'db', provisioners: () => steps('db', 2) },
      { name: 'app', dependsOn: ['db'], provisioners: () => steps('app', 3) },
    ]);
    expect((await s.run()).ok).toBe(true);
    expect(s.stateFile).toContain('state "sched" in postgres://groundwork:***@127.0.0.1:');
    await s.close();
    expect(callIds('startup')).toEqual(['db1', 'db2', 'app1', 'app2', 'app3']);
    // Each step got its predecessor's recorded return.
    expect(calls.find((c) => c.id === 'app2')!.input).toEqual({ from: 'app1' });

    const raw = await readPgState(url, 'sched');
    expect(raw.groups.map((g) => [g.name, g.record.state])).toEqual([
      ['db', 'provisioned'],
      ['app', 'provisioned'],
    ]);
    expect(raw.groups[1]!.steps.map((st) => st.record.output)).toEqual([
      { json: { from: 'app1' } },
      { json: { from: 'app2' } },
      { json: { from: 'app3' } },
    ]);

    calls.length = 0;
    const again = await open();
    expect(again.groups()).toEqual(['db', 'app']);
    expect((await again.teardown()).ok).toBe(true);
    await again.close();
    expect(callIds('shutdown')).toEqual(['app3', 'app2', 'app1', 'db2', 'db1']);
    expect((await readPgState(url, 'sched')).groups).toEqual([]);
    // What status reads: the state without its lock.
    expect((await readPostgresState(url, 'sched'))?.groups).toEqual({});
  });

  it('refuses a database whose schema version is newer, naming both versions, and changes nothing', async () => {
    const url = await freshDb();
    const store = new PostgresStore({ url, state: 'v' });
    await store.open();
    await store.putGroups([record('db')]);
    await store.close();
    const client = new pg.Client(url);
    await client.connect();
    await client.query(`update groundwork.meta set value = '99' where key = 'schema_version'`);
    await client.end();

    const later = new PostgresStore({ url, state: 'v' });
    const error = await later.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'GW_SCHEMA_VERSION', found: '99', known: SCHEMA_VERSION });
    expect((error as Error).message).toContain(`schema version 99, but this Groundwork knows version ${SCHEMA_VERSION}`);
    expect((error as Error).message).not.toContain(cluster.password);
    await expect(readPostgresState(url, 'v')).rejects.toMatchObject({ code: 'GW_SCHEMA_VERSION' });
    const raw = await readPgState(url, 'v');
    expect(raw.schemaVersion).toBe('99');
    expect(raw.groups.map((g) => g.name)).toEqual(['db']);
    // The lock taken before the refusal was released with the connection: a fixed database opens.
    const fix = new pg.Client(url);
    await fix.connect();
    await fix.query(`update groundwork.meta set value = $1 where key = 'schema_version'`, [String(SCHEMA_VERSION)]);
    await fix.end();
    const fixed = new PostgresStore({ url, state: 'v' });
    expect(Object.keys((await fixed.open()).groups)).toEqual(['db']);
    await fixed.close();
  });

  it('refuses a second owner of the same state in this process (the session lock), and lets it in after close', async () => {
    const url = await freshDb();
    const first = new PostgresStore({ url, state: 'busy', connection: { applicationName: 'first owner' } });
    await first.open();
    const second = new PostgresStore({ url, state: 'busy' });
    const error = await second.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: 'GW_DATABASE_LOCKED', state: 'busy' });
    expect((error as Error).message).toContain('"first owner" from 127.0.0.1');
    expect((error as Error).message).not.toContain(cluster.password);
    // Another state of the same database is not affected.
    const other = new PostgresStore({ url, state: 'other' });
    await other.open();
    await other.close();
    await first.close();
    await second.open();
    await second.close();
  });

  it('a GwStep record written by the scheduler is plain JSON the file store would write', async () => {
    // Same config on both stores: the recorded groups match field for field, times aside.
    const url = await freshDb();
    const file = await tempStateFile('groundwork-pg-same-');
    const run = async (store: JsonFileStore | PostgresStore) => {
      const s = await Scheduler.open({ store });
      await s.scheduleAll([{ name: 'one', provisioners: () => [new GwStep('x', true), new GwStep('y')] }]);
      expect((await s.run()).ok).toBe(true);
      await s.close();
    };
    await run(new JsonFileStore(file));
    await run(new PostgresStore({ url, state: 'same' }));
    const strip = (g: GroupRecord) =>
      JSON.parse(JSON.stringify(g, (k, v) => (/(At)$/.test(k) && typeof v === 'string' ? '<time>' : v))) as unknown;
    const fileStore = new JsonFileStore(file);
    const dbStore = new PostgresStore({ url, state: 'same' });
    const a = await fileStore.open();
    const b = await dbStore.open();
    await Promise.all([fileStore.close(), dbStore.close()]);
    expect(strip(b.groups.one!)).toEqual(strip(a.groups.one!));
  });
});

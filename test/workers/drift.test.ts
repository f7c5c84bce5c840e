// Drift in worker mode (issue 12): `provision` through the workers prints the drifted groups
// and the same warning as the single process, keeps their saved provisioners (nothing re-run).
// --replace/--replace-drifted through the workers: replace.test.ts.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresAvailability, startPostgres, type StartedPostgres } from '../helpers/postgres.js';
import { readPgState } from '../helpers/pg-state.js';
import { cli, startWorker, type Child } from './children.js';

const pgReady = await postgresAvailability();

describe.skipIf(!pgReady.available)(`drift in worker mode (${pgReady.reason || 'PostgreSQL 15'})`, () => {
  let db: StartedPostgres;
  let dir: string;
  const children = new Set<Child>();

  beforeAll(async () => {
    db = await startPostgres({ name: 'drift' });
    dir = await mkdtemp(join(tmpdir(), 'gw-drift-'));
  });
  afterAll(async () => {
    for (const c of children) c.proc.kill('SIGKILL');
    await Promise.allSettled([...children].map((c) => c.proc));
    await db?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("warns about a drifted group and keeps it, with the file mode's hint", async () => {
    const log = join(dir, 'steps.log');
    const env = { GROUNDWORK_DATABASE_URL: db.url, GW_TEST_LOG: log, GW_TEST_STATE_FILE: join(dir, 'state.json'), GW_TEST_GROUPS: '4' };
    const worker = startWorker(env);
    children.add(worker);
    await worker.waitFor(/worker \S+ started/);

    const up = await cli(['provision', '--no-work'], env).proc;
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).not.toContain('changed in the config');
    const starts = (await readFile(log, 'utf8')).split('\n').filter((l) => l.startsWith('start ')).length;

    const drifted = { ...env, GW_TEST_DRIFT: '-v2' };
    const again = await cli(['provision', '--no-work'], drifted).proc;
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('The config changed since these groups were provisioned:');
    expect(again.stdout).toMatch(/g0/);
    expect(again.stderr).toContain('warning: g0 changed in the config but keep their saved provisioners');
    expect(again.stderr).toContain('run `groundwork provision --replace-drifted` (or `--replace <group>`) to replace them');
    // Kept: nothing ran again, and g0's saved steps still carry the old field.
    expect((await readFile(log, 'utf8')).split('\n').filter((l) => l.startsWith('start ')).length).toBe(starts);
    const g0 = (await readPgState(db.url, 'default')).groups.find((g) => g.name === 'g0')!;
    expect(JSON.stringify(g0.steps[0]!.record.provisioner)).toContain('g0:0');
    expect(JSON.stringify(g0.steps[0]!.record.provisioner)).not.toContain('-v2');

    worker.proc.kill('SIGTERM');
    expect((await worker.proc).exitCode).toBe(0);
    children.delete(worker);
  }, 120_000);
});

// Drift in worker mode (issue 12): `provision` through the workers prints the drifted groups
// and the same warning as the single process, keeps their saved provisioners (nothing re-run).
// --replace/--replace-drifted through the workers: replace.test.ts.
import { readFile } from 'node:fs/promises';
import { expect, it } from 'vitest';
import { readPgState } from '../helpers/pg-state.js';
import { describeWithPostgres, useWorkerCluster } from './cluster.js';
import { countStarts } from './invariants.js';

await describeWithPostgres('drift in worker mode', () => {
  const c = useWorkerCluster('drift');

  it("warns about a drifted group and keeps it, with the file mode's hint", async () => {
    const env = c.env({ GW_TEST_GROUPS: '4' });
    const [worker] = await c.workers(1, env);

    const up = await c.cli(['provision', '--no-work'], env).proc;
    expect(up.exitCode, up.stderr).toBe(0);
    expect(up.stderr).not.toContain('changed in the config');
    const starts = countStarts(await readFile(c.log, 'utf8'));

    const drifted = { ...env, GW_TEST_DRIFT: '-v2' };
    const again = await c.cli(['provision', '--no-work'], drifted).proc;
    expect(again.exitCode, again.stderr).toBe(0);
    expect(again.stdout).toContain('The config changed since these groups were provisioned:');
    expect(again.stdout).toMatch(/g0/);
    expect(again.stderr).toContain('warning: g0 changed in the config but keep their saved provisioners');
    expect(again.stderr).toContain('run `groundwork provision --replace-drifted` (or `--replace <group>`) to replace them');
    // Kept: nothing ran again, and g0's saved steps still carry the old field.
    expect(countStarts(await readFile(c.log, 'utf8'))).toBe(starts);
    const g0 = (await readPgState(c.url, 'default')).groups.find((g) => g.name === 'g0')!;
    expect(JSON.stringify(g0.steps[0]!.record.provisioner)).toContain('g0:0');
    expect(JSON.stringify(g0.steps[0]!.record.provisioner)).not.toContain('-v2');

    await c.stop([worker!]);
  }, 120_000);
});

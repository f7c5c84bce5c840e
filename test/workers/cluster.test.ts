// The shared worker set-up itself (cluster.ts): each test gets its own database, folder and
// env, and a child a test leaves running (here a SIGSTOPped worker) is ended by the next test.
import { expect, it } from 'vitest';
import { isRunning } from '../helpers/wait.js';
import { describeWithPostgres, useWorkerCluster } from './cluster.js';

await describeWithPostgres('useWorkerCluster', () => {
  const c = useWorkerCluster('cluster');
  let first: { pid: number; url: string; dir: string } | undefined;

  it('points the env at this test’s database and folder, and starts a worker there', async () => {
    const env = c.env({ GW_TEST_GROUPS: '1' });
    expect(env).toMatchObject({ GROUNDWORK_DATABASE_URL: c.url, GW_TEST_LOG: c.log });
    expect(c.log.startsWith(c.dir)).toBe(true);
    const [worker] = await c.workers(1, env);
    expect(worker!.err()).toContain(`/${new URL(c.url).pathname.slice(1)} (state "default")`);
    process.kill(worker!.pid, 'SIGSTOP'); // left stopped: the helper must still end it
    first = { pid: worker!.pid, url: c.url, dir: c.dir };
  }, 60_000);

  it('ended the worker the last test left behind, and gives this test a fresh database and folder', () => {
    expect(first).toBeDefined();
    expect(isRunning(first!.pid)).toBe(false);
    expect(c.url).not.toBe(first!.url);
    expect(c.dir).not.toBe(first!.dir);
  });
});

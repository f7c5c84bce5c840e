// The database unreachable when a `worker` starts (issue 12): a clear error naming the URL
// without its password, and the same exit code as the other commands (`status` here).
// Nothing listens on the port (taken from the OS, then closed), so no PostgreSQL is needed.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { useChildren } from './cluster.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('worker with the database unreachable', () => {
  const { cli } = useChildren();

  it('exits with the URL redacted and the exit code of the other commands', async () => {
    const port = await closedPort();
    const env = {
      GROUNDWORK_DATABASE_URL: `postgres://groundwork:s3cret-pw@127.0.0.1:${port}/gw`,
      GW_TEST_STATE_FILE: '/nonexistent/state.json',
    };
    const [worker, status] = await Promise.all([cli(['worker'], env).proc, cli(['status'], env).proc]);
    expect(status.exitCode, status.stderr).not.toBe(0);
    expect(worker.exitCode, worker.stderr).toBe(status.exitCode);
    expect(worker.stderr).toContain(`Cannot reach the state database postgres://groundwork:***@127.0.0.1:${port}/gw`);
    expect(worker.stderr + worker.stdout).not.toContain('s3cret-pw');
    expect(worker.stderr).not.toMatch(/^\s+at /m); // a message, not a stack trace
  }, 60_000);
});

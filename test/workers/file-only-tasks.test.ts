// pg-parity (issue 12): `unlock` and `reap` work on a state file; with a database selected they
// refuse, naming it (without its password) and saying how to reach a state file, instead of
// quietly acting on the file the config names. Nothing connects: no cluster needed.
import { expect, it } from 'vitest';
import { runTasks } from '../helpers/cli.js';
import { fixture } from '../helpers/paths.js';

const URL = 'postgres://groundwork:s3cret@127.0.0.1:1/groundwork';

it('unlock and reap refuse a database state (exit 2), naming it without the password', async () => {
  const runs = await Promise.all([
    runTasks(['unlock', 'abc', '--config', fixture('cli-ok.ts'), '--database', URL], { timeoutMs: 60_000 }),
    runTasks(['reap', '--config', fixture('cli-ok.ts')], { env: { GROUNDWORK_DATABASE_URL: URL }, timeoutMs: 60_000 }),
  ]);
  for (const r of runs) {
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toContain('in postgres://groundwork:***@127.0.0.1:1/groundwork');
    expect(r.stderr).toContain('--state FILE');
    expect(`${r.stdout}${r.stderr}`).not.toContain('s3cret');
  }
  expect(runs[0]!.stderr).toContain('has no lock to remove');
  expect(runs[1]!.stderr).toContain('reap works on a state file');
}, 120_000);

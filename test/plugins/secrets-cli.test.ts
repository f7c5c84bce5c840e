// A password field end to end through the command line: an executable provider (the sh fixture) that even
// echoes its secret; neither the state file, the data dir, nor provision/status/output/teardown show it.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { runTasks } from '../helpers/cli.js';
import { ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { FIXTURES } from './helpers.js';

const SECRET = 'pa55-cli-4f1d9c';

async function filesContaining(dir: string, text: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path, 'utf8')).includes(text)) found.push(path);
  }
  return found;
}

it('a password given by reference reaches the plugin but never the state, the data dir or the CLI output', async () => {
  const dir = await tempDir('groundwork-plugin-secret-');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const config = join(dir, 'groundwork.config.ts');
  await writeFile(
    config,
    `import { defineConfig, loomCluster } from ${JSON.stringify(join(ROOT, 'src/index.js'))};
export default defineConfig({
  stateFile: 'state.json',
  groups: loomCluster({
    pluginDirs: [${JSON.stringify(join(FIXTURES, 'good'))}],
    provider: { type: 'exeprov', fields: { mode: 'echo-secret', token: { env: 'EXEPROV_TOKEN' } } },
    services: {},
    nodes: { n1: { services: [] } },
  }),
});
`,
  );
  const env = { EXEPROV_TOKEN: SECRET };
  const runs = [];
  const provision = await runTasks(['provision', '--config', config], { env, timeoutMs: 60_000 });
  runs.push(provision);
  expect(provision.stderr).toBe('');
  expect(provision.code).toBe(0);
  for (const args of [['status'], ['status', '--json'], ['output', 'n1', '--json']]) {
    const r = await runTasks([...args, '--config', config], { env });
    expect(r.code, args.join(' ')).toBe(0);
    runs.push(r);
  }
  // The plugin did get the secret: what it echoed back is there, scrubbed.
  expect(runs.map((r) => r.stdout).join('\n')).toContain('(redacted)');
  const state = await readFile(join(dir, 'state.json'), 'utf8');
  expect(state).toContain('EXEPROV_TOKEN');
  expect(await filesContaining(dir, SECRET)).toEqual([]);

  const teardown = await runTasks(['teardown', '--config', config], { env, timeoutMs: 60_000 });
  expect(teardown.code).toBe(0);
  runs.push(teardown);
  for (const r of runs) expect(`${r.stdout}\n${r.stderr}`).not.toContain(SECRET);
}, 180_000); // five CLI children, a few seconds each on a loaded machine

// The 20-line provider in README's "Writing a plugin", loaded from a plugin dir and run through its three tasks.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect, it, onTestFinished } from 'vitest';
import { PluginRegistry } from '../../src/plugins/registry.js';
import { TaskName } from '../../src/plugins/task.js';
import { ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { recordingHooks, task } from './helpers.js';

it("README's provider written from scratch loads and creates, adopts, confirms and deletes", async () => {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('**A provider from scratch**'));
  const code = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  expect(code).toContain('export class TmpDirProvider extends Provider');
  expect(code!.trimEnd().split('\n').length).toBeLessThanOrEqual(21);

  const dir = await tempDir('groundwork-readme-plugin-');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const folder = join(dir, 'plugins/providers/tmpdir');
  await mkdir(folder, { recursive: true });
  await writeFile(join(folder, 'tmpdir.json'), '{ "tmpdir": { "classname": "TmpDirProvider" } }');
  await writeFile(join(folder, 'tmpdir.ts'), code!.replace("from 'groundwork'", `from ${JSON.stringify(join(ROOT, 'src/index.js'))}`));
  const registry = new PluginRegistry();
  await registry.load([join(dir, 'plugins')]);
  const provider = registry.provider('tmpdir');

  const r = recordingHooks();
  const created = await provider.run(task(TaskName.Create), r.hooks);
  expect(created.status).toBe(0);
  const id = created.result.providerid as string;
  onTestFinished(() => rm(id, { recursive: true, force: true }));
  expect(existsSync(id)).toBe(true);
  expect(r.checkpoints.map((c) => c.result)).toEqual([{ providerid: id }]);
  // After a crash the checkpointed id is in the config: CREATE adopts it instead of making another.
  expect(await provider.run(task(TaskName.Create, { config: { providerid: id } }), recordingHooks().hooks)).toMatchObject({
    status: 0,
    result: {},
  });

  const confirmed = await provider.run(task(TaskName.Confirm, { config: { providerid: id } }), recordingHooks().hooks);
  expect(confirmed).toMatchObject({ status: 0, result: { ipaddress: '127.0.0.1', ready: true } });
  expect((await provider.run(task(TaskName.Delete, { config: { providerid: id } }), recordingHooks().hooks)).status).toBe(0);
  expect(existsSync(id)).toBe(false);
});

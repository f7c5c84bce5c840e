// `groundwork plugins`, run as a child process: the built-ins, then the config's plugin dirs in order.
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runTasks } from '../helpers/cli.js';
import { ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { FIXTURES } from './helpers.js';

/** A config in a temp folder: `plugins.dirs` as given, and groups tagged with `tagged` (as loomCluster does). */
async function project(dirs: string[], tagged: string[] = []): Promise<string> {
  const dir = await tempDir('groundwork-plugins-cli-');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await writeFile(
    join(dir, 'groundwork.config.ts'),
    `import { defineConfig } from ${JSON.stringify(join(ROOT, 'src/index.js'))};
import { tagPluginDirs } from ${JSON.stringify(join(ROOT, 'src/plugins/config-dirs.js'))};
export default defineConfig({ stateFile: 'state.json', plugins: { dirs: ${JSON.stringify(dirs)} }, groups: tagPluginDirs({}, ${JSON.stringify(tagged)}) });
`,
  );
  return dir;
}

describe('groundwork plugins', () => {
  it('lists built-ins first, then each plugin dir (plugins.dirs, then the dirs loomCluster tagged, relative to the config)', async () => {
    const dir = await project([join(FIXTURES, 'good')], ['./local-plugins']);
    const extra = join(dir, 'local-plugins/automators/hello');
    await mkdir(extra, { recursive: true });
    await writeFile(join(extra, 'hello.json'), JSON.stringify({ hello: { executable: 'hello.sh' } }));
    await writeFile(join(extra, 'hello.sh'), '#!/bin/sh\necho "{}"\n');
    await chmod(join(extra, 'hello.sh'), 0o755);

    const text = await runTasks(['plugins', '--config', join(dir, 'groundwork.config.ts')]);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(0);
    const rows = text.stdout
      .split('\n')
      .filter((l) => /^(provider|automator) /.test(l))
      .map((l) => l.split(/\s+/).slice(0, 3));
    expect(rows).toEqual([
      ['provider', 'netns', '(built-in)'],
      ['provider', 'ssh', '(built-in)'],
      ['provider', 'local', '(built-in)'],
      ['automator', 'shell', '(built-in)'],
      ['provider', 'exeprov', join(FIXTURES, 'good/providers/exeprov/exeprov.json')],
      ['provider', 'fixprov', join(FIXTURES, 'good/providers/fixprov/fixprov.json')],
      ['automator', 'fixauto', join(FIXTURES, 'good/automators/fixauto/fixauto.json')],
      ['automator', 'hello', join(extra, 'hello.json')],
    ]);
    expect(text.stdout).toContain('    flavor: select, one of small|large, default "small", admin  (Flavor — machine size)');
    expect(text.stdout).toContain('    password: password, given by reference: { env } or { file }, user');
    expect(text.stdout).toContain(`8 plugin(s); plugin dirs: ${join(FIXTURES, 'good')}, ${join(dir, 'local-plugins')}`);

    const json = await runTasks(['plugins', '--json', '--config', join(dir, 'groundwork.config.ts')]);
    expect(json.code).toBe(0);
    const parsed = JSON.parse(json.stdout) as { dirs: string[]; plugins: Array<Record<string, unknown>> };
    expect(parsed.dirs).toEqual([join(FIXTURES, 'good'), join(dir, 'local-plugins')]);
    expect(parsed.plugins.find((p) => p.type === 'fixauto')).toEqual({
      kind: 'automator',
      type: 'fixauto',
      source: join(FIXTURES, 'good/automators/fixauto/fixauto.json'),
      description: "Fixture automator in Coopr's richer form",
      fields: {
        flavor: {
          scope: 'admin',
          type: 'select',
          label: 'Flavor',
          tip: 'machine size',
          options: ['small', 'large'],
          default: 'small',
          required: false,
        },
        region: { scope: 'admin', type: 'text', label: 'Region', override: true, required: true },
        password: { scope: 'user', type: 'password', label: 'Password', tip: 'given by reference', required: false },
      },
      required: [['region']],
    });
  });

  it('a plugin that does not load fails with the descriptor named, exit 2', async () => {
    const dir = await project([join(FIXTURES, 'bad-methods')]);
    const r = await runTasks(['plugins', '--config', join(dir, 'groundwork.config.ts')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(
      `error: HalfAutomator (named by ${join(FIXTURES, 'bad-methods/automators/half/half.json')}) does not implement stop(), remove()`,
    );
  });
});

// Plugin dirs on disk: what loads, and what is refused at load time with the descriptor's name.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PluginError } from '../../src/errors.js';
import { noParameters } from '../../src/plugins/parameters.js';
import { PluginRegistry } from '../../src/plugins/registry.js';
import { emptyResult, TaskName } from '../../src/plugins/task.js';
import { ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';
import { FIXTURES, recordingHooks, task } from './helpers.js';

async function loadError(dirs: string[], registry = new PluginRegistry()): Promise<PluginError> {
  const error = await registry.load(dirs).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PluginError);
  return error as PluginError;
}

describe('PluginRegistry.load', () => {
  it('registers the class and executable plugins of a dir, with kind, type, source and parameters', async () => {
    const registry = new PluginRegistry();
    await registry.load([join(FIXTURES, 'good')]);
    expect(registry.list().map((p) => [p.kind, p.name, p.descriptorFile])).toEqual([
      ['provider', 'exeprov', join(FIXTURES, 'good/providers/exeprov/exeprov.json')],
      ['provider', 'fixprov', join(FIXTURES, 'good/providers/fixprov/fixprov.json')],
      ['automator', 'fixauto', join(FIXTURES, 'good/automators/fixauto/fixauto.json')],
    ]);
    expect(registry.automator('fixauto').parameters.fields.flavor).toMatchObject({
      type: 'select',
      options: ['small', 'large'],
      default: 'small',
    });
    expect(registry.provider('fixprov').parameters).toEqual(noParameters());
  });

  it('loads a TypeScript plugin in a CommonJS project through the config loader (bundled, sharing the base classes)', async () => {
    const dir = await tempDir('groundwork-cjs-plugin-');
    await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'user' }));
    const folder = join(dir, 'providers/cj');
    await mkdir(folder, { recursive: true });
    await writeFile(join(folder, 'cj.json'), '{ "cj": { "classname": "Cj" } }');
    await writeFile(
      join(folder, 'cj.ts'),
      `import { Provider } from ${JSON.stringify(relative(folder, join(ROOT, 'src/index.js')))};
export class Cj extends Provider {
  create() { return { result: { dir: __dirname } }; }
  confirm() {}
  delete() {}
}
`,
    );
    const registry = new PluginRegistry();
    await registry.load([dir]);
    const result = await registry.provider('cj').run(task(TaskName.Create), recordingHooks().hooks);
    expect(result).toMatchObject({ status: 0, result: { dir: folder } });
  });

  it.each([
    ['malformed JSON', 'bad-json', 'providers/broken/broken.json', /is not valid JSON/],
    [
      'a class no module exports',
      'bad-noclass',
      'providers/noclass/noclass.json',
      /names class Missing, but no module in .* exports it \(looked in noclass\.ts\)/,
    ],
    ['a class missing methods', 'bad-methods', 'automators/half/half.json', /HalfAutomator .* does not implement stop\(\), remove\(\)/],
    ['a class not extending Provider', 'bad-notsub', 'providers/plain/plain.json', /Plain .* is not a class extending Provider/],
    ['an executable without the x bit', 'bad-noexec', 'automators/noexec/noexec.json', /run\.sh is not executable; chmod \+x it/],
  ])('refuses %s, naming the descriptor file', async (_case, dir, file, message) => {
    const error = await loadError([join(FIXTURES, dir)]);
    expect(error.descriptorFile).toBe(join(FIXTURES, dir, file));
    expect(error.message).toContain(join(FIXTURES, dir, file));
    expect(error.message).toMatch(message);
  });

  it('refuses two plugins of the same type across dirs, naming both descriptors', async () => {
    const error = await loadError([join(FIXTURES, 'good'), join(FIXTURES, 'dup')]);
    expect(error.descriptorFile).toBe(join(FIXTURES, 'dup/providers/again/again.json'));
    expect(error.message).toContain(
      `provider type "fixprov" is already registered by ${join(FIXTURES, 'good/providers/fixprov/fixprov.json')}`,
    );
  });

  it('refuses a plugin whose type a built-in already has', async () => {
    const registry = new PluginRegistry();
    registry.registerBuiltin({ name: 'fixprov', kind: 'provider', parameters: noParameters(), run: async () => emptyResult() });
    const error = await loadError([join(FIXTURES, 'good')], registry);
    expect(error.message).toContain('provider type "fixprov" is already registered by (built-in)');
    // Built-ins come first in the listing.
    expect(registry.list()[0]).toMatchObject({ name: 'fixprov', descriptorFile: '(built-in)' });
  });

  it('refuses a plugin dir that does not exist, and an unknown type names the known ones', async () => {
    const missing = join(FIXTURES, 'no-such-dir');
    expect((await loadError([missing])).message).toContain(`Plugin dir ${missing} does not exist`);
    const registry = new PluginRegistry();
    await registry.load([join(FIXTURES, 'good')]);
    expect(() => registry.provider('nope')).toThrow(/No provider plugin of type "nope" is registered; known: exeprov, fixprov/);
  });
});

// A config in a folder without "type": "module" (CommonJS scope) is bundled to a temporary
// .mjs and imported: it shares Groundwork's module instances (the registries), its own
// files see their own location, and the temporary file is gone afterwards.
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, test } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { defaultRegistry } from '../../src/serialize/default-registry.js';
import { ConfigError } from '../../src/errors.js';
import { ROOT } from '../helpers/paths.js';
import { tempDir } from '../helpers/temp.js';

test('a TypeScript config in a CommonJS folder loads, registers into the shared registry and leaves no temporary file', async () => {
  const dir = await tempDir('groundwork-cjs-config-');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'user', type: 'commonjs' }));
  await writeFile(
    join(dir, 'marker.ts'),
    `import { registerProvisioner } from ${JSON.stringify(join(ROOT, 'src/index.js'))};
export const where = { dir: __dirname, url: import.meta.url };
export class CjsScopeMarker {
  name = '';
  dir = __dirname;
  url = import.meta.url;
  async startup() { return true; }
  async shutdown() { return true; }
  report() { return []; }
}
registerProvisioner(CjsScopeMarker);
`,
  );
  await writeFile(
    join(dir, 'groundwork.config.ts'),
    `import { defineConfig } from ${JSON.stringify(join(ROOT, 'src/index.js'))};
import { CjsScopeMarker, where } from './marker';
export const seen = where;
export default defineConfig({ stateFile: 'state.json', groups: { one: { provisioners: () => [new CjsScopeMarker()] } } });
`,
  );
  const config = await loadConfig(join(dir, 'groundwork.config.ts'));
  expect(config.groups.map((g) => g.name)).toEqual(['one']);
  expect(config.stateFile).toBe(join(dir, 'state.json'));
  expect(defaultRegistry().classOf('CjsScopeMarker')).toBeTypeOf('function');
  // __dirname and import.meta.url name the bundled file's own place, not the temporary bundle's.
  const made = config.groups[0]!.provisioners;
  const [marker] = (typeof made === 'function' ? made() : made) as unknown as Array<{ dir: string; url: string }>;
  expect(marker).toMatchObject({ dir, url: pathToFileURL(join(dir, 'marker.ts')).href });
  expect((await readdir(dir)).filter((f) => f.includes('.timestamp-'))).toEqual([]);
});

test('a config that does not compile is refused with the file and line', async () => {
  const dir = await tempDir('groundwork-cjs-config-');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'user' }));
  await writeFile(join(dir, 'groundwork.config.ts'), 'export default {\n  groups: {,\n};\n');
  const error = await loadConfig(join(dir, 'groundwork.config.ts')).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  expect((error as Error).message).toMatch(/Cannot compile config .*groundwork\.config\.ts: .* \(\/.*groundwork\.config\.ts:\d+:\d+\)/);
  expect((await readdir(dir)).filter((f) => f.includes('.timestamp-'))).toEqual([]);
});

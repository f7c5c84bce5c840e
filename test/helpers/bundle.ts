import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { fixture, ROOT } from './paths.js';

export interface Bundle {
  script: string;
  remove(): void;
}

/**
 * Bundle a TypeScript fixture (our sources, not the npm packages) into one
 * .mjs file, so that tests that start it dozens of times pay Node's start-up,
 * not the TypeScript loader's. It is written under node_modules/.cache so
 * that the packages it imports resolve from the project.
 */
export async function bundleFixture(name: string): Promise<Bundle> {
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'groundwork-bundle-'));
  const script = join(dir, basename(name).replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [fixture(name)],
    outfile: script,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
  });
  return { script, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Bundle a fixture with the packages it imports into `outfile`, for a child
 * that cannot read the checkout (one run as user nobody, when the checkout
 * sits in a private folder). ssh2's optional native add-ons stay out: it
 * falls back to JavaScript without them.
 */
export async function bundleStandalone(name: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [fixture(name)],
    outfile,
    bundle: true,
    external: ['cpu-features', '*.node'],
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    // Bundled CommonJS packages use require() and __dirname.
    banner: {
      js: [
        "import { createRequire as __cr } from 'node:module';",
        "import { fileURLToPath as __fu } from 'node:url';",
        "import { dirname as __dn } from 'node:path';",
        'const require = __cr(import.meta.url);',
        'const __filename = __fu(import.meta.url);',
        'const __dirname = __dn(__filename);',
      ].join(' '),
    },
  });
}

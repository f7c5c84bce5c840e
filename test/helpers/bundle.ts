import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { fixture } from './paths.js';

/**
 * Bundle a TypeScript fixture into one .mjs file in `outDir`, so that tests
 * that start it dozens of times pay Node's start-up, not the TypeScript
 * loader's (about 10× less per start).
 */
export async function bundleFixture(name: string, outDir: string): Promise<string> {
  const outfile = join(outDir, basename(name).replace(/\.ts$/, '.mjs'));
  await build({
    entryPoints: [fixture(name)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
    // Bundled CommonJS dependencies call require().
    banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  });
  return outfile;
}

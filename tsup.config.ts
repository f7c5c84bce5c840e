// The package build (`npm run build`, run by `prepack`). tsup because it is made for
// libraries: esbuild for the JavaScript, rolled-up .d.ts/.d.cts for the types, so a
// user's tsc checks only our declarations, never our sources.
import { defineConfig } from 'tsup';

// Dependencies that are CommonJS themselves (or native, or a toolchain) stay
// external in the CommonJS build; the ESM-only ones are bundled into it, so
// `require('groundwork')` is real CommonJS, also under tsx's require hook.
const CJS_EXTERNAL = ['node-ssh', 'ssh2', 'esbuild', 'tsx', 'cpu-features'];

export default defineConfig([
  {
    entry: { index: 'src/index.ts', cli: 'src/cli/index.ts', bin: 'src/cli/bin.ts' },
    format: 'esm',
    target: 'node20',
    platform: 'node',
    splitting: true, // one copy of each module (and of the registries) shared by every entry
    // Rolled up into one self-contained file per entry, so the same text serves
    // CommonJS importers as .d.cts (scripts/finish-build.mjs copies it).
    dts: { entry: { index: 'src/index.ts', cli: 'src/cli/index.ts' } },
    clean: true,
    sourcemap: true,
  },
  {
    entry: { index: 'src/index.ts' },
    format: 'cjs',
    target: 'node20',
    platform: 'node',
    shims: true, // import.meta.url in CommonJS
    noExternal: [/^(?!node-ssh$|ssh2$|esbuild$|tsx$|cpu-features$).*/],
    external: CJS_EXTERNAL,
    sourcemap: true,
  },
]);

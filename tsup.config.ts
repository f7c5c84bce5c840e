// The package build (`npm run build`, run by `prepack`). tsup because it is made for
// libraries: esbuild for the JavaScript, rolled-up .d.ts/.d.cts for the types, so a
// user's tsc checks only our declarations, never our sources.
import { defineConfig } from 'tsup';

// Dependencies that are CommonJS themselves (or native, or a toolchain) stay
// external in the CommonJS build; the ESM-only ones are bundled into it, so
// `require('groundwork')` is real CommonJS, also under tsx's require hook.
const CJS_EXTERNAL = ['node-ssh', 'ssh2', 'esbuild', 'tsx', 'cpu-features', 'pg']; // pg: the PostgreSQL state (issue 12)

// The test-runner hooks: each its own entry, so `groundwork` itself names no test runner.
const HOOKS = {
  vitest: 'src/testing/vitest.ts',
  jest: 'src/testing/jest/index.ts',
  'jest-setup': 'src/testing/jest/setup.ts',
  'jest-teardown': 'src/testing/jest/teardown.ts',
  'node-test': 'src/testing/node-test.ts',
};

export default defineConfig([
  {
    entry: { index: 'src/index.ts', cli: 'src/cli/index.ts', bin: 'src/cli/bin.ts', ...HOOKS },
    format: 'esm',
    target: 'node20',
    platform: 'node',
    splitting: true, // one copy of each module (and of the registries) shared by every entry
    // Rolled up into one self-contained file per entry, so the same text serves
    // CommonJS importers as .d.cts (scripts/finish-build.mjs copies it).
    dts: { entry: { index: 'src/index.ts', cli: 'src/cli/index.ts', ...HOOKS } },
    external: ['vitest'], // types only (the ProvidedContext augmentation); the user's own vitest
    clean: true,
    sourcemap: true,
  },
  {
    // groundwork/jest's reader is real CommonJS too: a Jest test in a CommonJS project
    // reads the outputs synchronously. The other hooks' CommonJS faces are wrappers
    // that import() the ESM build (scripts/finish-build.mjs), to share its registries.
    entry: { index: 'src/index.ts', jest: 'src/testing/jest/index.ts' },
    format: 'cjs',
    target: 'node20',
    platform: 'node',
    shims: true, // import.meta.url in CommonJS
    noExternal: [/^(?!node-ssh$|ssh2$|esbuild$|tsx$|cpu-features$).*/],
    external: CJS_EXTERNAL,
    sourcemap: true,
  },
]);

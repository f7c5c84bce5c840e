// After tsup: the CommonJS faces of `groundwork/cli` and the hooks, and the .d.cts twins of the types.
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';

// The command line and the test hooks always run in the ESM build, where the config
// (bundled to a temporary .mjs) registers its provisioner classes: one copy of the registries.
copyFileSync('src/cli/cli.cjs', 'dist/cli.cjs');
for (const hook of ['vitest', 'jest-setup', 'jest-teardown', 'node-test']) copyFileSync(`src/testing/cjs/${hook}.cjs`, `dist/${hook}.cjs`);

const ENTRIES = ['index', 'cli', 'vitest', 'jest', 'jest-setup', 'jest-teardown', 'node-test'];
// The entries share declaration chunks (define-*.d.ts, …). A .d.cts must import .d.cts
// chunks: a .d.ts in this "type": "module" package is an ES module to a CommonJS importer.
for (const file of readdirSync('dist').filter((f) => f.endsWith('.d.ts'))) {
  const name = file.slice(0, -'.d.ts'.length);
  let text = readFileSync(`dist/${file}`, 'utf8');
  // Node's types (Buffer, AsyncDisposable) come with the package (@types/node is a
  // dependency); the reference makes them resolve even where a user's tsconfig lists `types`.
  if (ENTRIES.includes(name)) writeFileSync(`dist/${file}`, (text = `/// <reference types="node" />\n${text}`));
  writeFileSync(`dist/${name}.d.cts`, text.replace(/(from |import )'(\.\/[^']+)\.js'/g, "$1'$2.cjs'"));
}

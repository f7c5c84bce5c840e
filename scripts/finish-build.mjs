// After tsup: the CommonJS face of `groundwork/cli` and the .d.cts twins of the rolled-up types.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';

// The command line always runs in the ESM build, where the config (bundled to a
// temporary .mjs) registers its provisioner classes: one copy of the registries.
copyFileSync('src/cli/cli.cjs', 'dist/cli.cjs');
for (const entry of ['index', 'cli']) {
  // Node's types (Buffer, AsyncDisposable) come with the package (@types/node is a
  // dependency); the reference makes them resolve even where a user's tsconfig lists `types`.
  const text = `/// <reference types="node" />\n${readFileSync(`dist/${entry}.d.ts`, 'utf8')}`;
  writeFileSync(`dist/${entry}.d.ts`, text);
  writeFileSync(`dist/${entry}.d.cts`, text);
}

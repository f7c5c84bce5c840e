// After tsup: the CommonJS face of `groundwork/cli` and the .d.cts twins of the rolled-up types.
import { copyFileSync } from 'node:fs';

// The command line always runs in the ESM build, where the config (bundled to a
// temporary .mjs) registers its provisioner classes: one copy of the registries.
copyFileSync('src/cli/cli.cjs', 'dist/cli.cjs');
for (const entry of ['index', 'cli']) copyFileSync(`dist/${entry}.d.ts`, `dist/${entry}.d.cts`);

// The cluster example's own suite: `npm run test:cluster` (root: netns machines).
// One cluster for the whole suite, brought up by the global setup; the files run
// one after another, since the load test kills a node and the next file must
// not see that (its kept-run test repairs it).
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

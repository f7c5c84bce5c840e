// The cluster example's own suite: `npm run test:cluster` (root: netns machines).
// One cluster for the whole suite, brought up by the global setup. The files run
// one after another in a fixed order: simple first, while the cluster is as the
// global setup made it; then load, which kills a node and has the kept bring-up
// replace it (so the outputs handed to later files may be stale); then restart,
// which makes a cluster of its own.
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

const ORDER = ['simple.test.ts', 'load.test.ts', 'restart.test.ts'];

class ClusterOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = ORDER.indexOf(basename(f.moduleId));
      return i === -1 ? ORDER.length : i;
    };
    return [...files].sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    pool: 'forks',
    fileParallelism: false,
    sequence: { sequencer: ClusterOrder },
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});

// The bench workers' config: only the class matters to a worker (the groups are scheduled by the bench).
import { defineConfig } from '../../src/index.js';
import { benchGroups } from './bench-step.js';

export default defineConfig({
  stateFile: process.env['GW_BENCH_STATE_FILE'] ?? '/tmp/groundwork-bench-workers/state.json',
  database: { state: process.env['GW_BENCH_STATE'] ?? 'bench' },
  groups: benchGroups('flat', 1, 0),
});

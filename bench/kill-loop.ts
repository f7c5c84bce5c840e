// The kill -9 loop of test/faults/kill-loop.test.ts with more kills:
//   npm run bench:kill -- [--kills 500] [--seed 42]
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { kills: { type: 'string', default: '500' }, seed: { type: 'string' } } });
const seed = values.seed ?? String(Math.floor(Math.random() * 2 ** 31));
const { status } = spawnSync('npx', ['vitest', 'run', 'test/faults/kill-loop.test.ts'], {
  stdio: 'inherit',
  env: { ...process.env, GROUNDWORK_KILLS: values.kills, GROUNDWORK_SEED: seed },
});
process.exitCode = status ?? 1;

// Two hosts as Linux network namespaces, each with its own address and sshd,
// and a command run on each over SSH. Needs root (network namespaces).
//   npx tsx tasks.ts provision --config examples/machines/groundwork.config.ts
//   npx tsx tasks.ts status    --config examples/machines/groundwork.config.ts
//   npx tsx tasks.ts teardown  --config examples/machines/groundwork.config.ts
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { defineConfig, Machines, RunOnMachines } from '../../src/index.js';
import { generateKeyPair } from '../../src/keys/generate.js';

// Keys are looked up by name: in GROUNDWORK_KEY_<NAME>, or in key folders, by
// default <state data dir>/keys. The example makes its key there on first use
// (a real project would bring its own).
const keys = fileURLToPath(new URL('./.groundwork/data/keys', import.meta.url));
const KEY = 'groundwork-demo';
if (!existsSync(`${keys}/${KEY}`)) {
  await mkdir(keys, { recursive: true, mode: 0o700 });
  await generateKeyPair(`${keys}/${KEY}`, { comment: KEY });
}

export default defineConfig({
  stateFile: '.groundwork/state.json',
  groups: {
    hosts: {
      provisioners: () => [
        new Machines({
          driver: 'netns',
          driverConfig: { subnet: '10.200.0.0/16' },
          machines: ['web1', 'web2'],
          keyName: KEY,
          setup: ['ip -o link show lo'], // runs inside the namespace; changes nothing
        }),
        new RunOnMachines({ command: 'hostname; ip -4 -o addr show scope global' }),
      ],
    },
  },
  drivers: { netns: {} },
});

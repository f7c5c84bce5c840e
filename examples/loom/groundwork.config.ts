// A Loom-style cluster on this host: three nodes as network namespaces (the built-in `netns` provider),
// a tiny TCP "db" on node1 and an HTTP `web` on node2 and node3 that reads the db's address from task.nodes,
// all through the built-in `shell` automator running scripts/*.sh over SSH. Needs root (network namespaces).
//   npx tsx tasks.ts provision --config examples/loom/groundwork.config.ts
//   npx tsx tasks.ts status    --config examples/loom/groundwork.config.ts
//   npx tsx tasks.ts teardown  --config examples/loom/groundwork.config.ts
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { defineConfig, loomCluster } from '../../src/index.js';
import { generateKeyPair } from '../../src/keys/generate.js';

// The login key is looked up by name in <state data dir>/keys; the example makes it there on first use.
const keys = fileURLToPath(new URL('./.groundwork/data/keys', import.meta.url));
const KEY = 'groundwork-loom';
if (!existsSync(`${keys}/${KEY}`)) {
  await mkdir(keys, { recursive: true, mode: 0o700 });
  await generateKeyPair(`${keys}/${KEY}`, { comment: KEY });
}

export default defineConfig({
  stateFile: '.groundwork/state.json',
  groups: loomCluster({
    // GW_LOOM_PREFIX: the namespaces' prefix (the tests set their own); keyPath so `--state` elsewhere finds the key.
    provider: {
      type: 'netns',
      fields: { subnet: '10.217.0.0/16', keyName: KEY, keyPath: keys, prefix: process.env.GW_LOOM_PREFIX ?? 'gw' },
    },
    automators: { shell: { fields: { scriptsDir: fileURLToPath(new URL('./scripts', import.meta.url)), keyPath: keys } } },
    services: {
      db: {
        automator: 'shell',
        actions: { install: { script: 'db-install.sh' }, start: { script: 'db-start.sh', data: '5433' }, stop: { script: 'db-stop.sh' } },
      },
      web: {
        automator: 'shell',
        dependsOn: ['db'],
        needsNodes: true, // waits for every node and gets task.nodes, to find the db
        actions: {
          configure: { script: 'web-configure.sh' },
          start: { script: 'web-start.sh', data: '8080' },
          stop: { script: 'web-stop.sh' },
        },
      },
    },
    nodes: { node1: { services: ['db'] }, node2: { services: ['web'] }, node3: { services: ['web'] } },
  }),
});

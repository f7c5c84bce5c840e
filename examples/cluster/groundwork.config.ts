// A real cluster on this host (root): PostgreSQL on db1, the example app on
// app1 and app2, nginx on lb1, each machine a network namespace with its own
// address and sshd, every step over SSH.
//   npx tsx tasks.ts provision --config examples/cluster/groundwork.config.ts
//   curl "$(npx tsx tasks.ts output lb --config examples/cluster/groundwork.config.ts)"
//   npx tsx tasks.ts teardown  --config examples/cluster/groundwork.config.ts
// CLUSTER_SUBNET moves it to another subnet (the restart test runs a second cluster beside the first).
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { defineConfig, Machines, RemoteService } from '../../src/index.js';
import { generateKeyPair } from '../../src/keys/generate.js';
import { MachineFolder } from './provisioners/machine-folder.js';
import { NGINX, NginxConfig } from './provisioners/nginx-config.js';
import { PG_BIN, PostgresSchema } from './provisioners/postgres-schema.js';
import { RouteSubnet } from './provisioners/route-subnet.js';
import { ServiceUrl } from './provisioners/service-url.js';

// Keys are looked up by name in key folders; the example makes its key in
// examples/cluster/.groundwork/data/keys on first use (a real project would bring
// its own) and names that folder in every step, so a run with another --state
// (the restart test's) finds it too.
const keys = fileURLToPath(new URL('./.groundwork/data/keys', import.meta.url));
const KEY = 'groundwork-cluster';
if (!existsSync(`${keys}/${KEY}`)) {
  await mkdir(keys, { recursive: true, mode: 0o700 });
  await generateKeyPair(`${keys}/${KEY}`, { comment: KEY });
}

const SUBNET = process.env.CLUSTER_SUBNET ?? '10.250.0.0/16';
const REPO = fileURLToPath(new URL('../..', import.meta.url));
const APP = fileURLToPath(new URL('./app/server.ts', import.meta.url));

const machines = (...names: string[]) =>
  new Machines({ driver: 'netns', driverConfig: { subnet: SUBNET }, machines: names, keyName: KEY, keyPaths: [keys] });

// initdb's quick options: no fsync of the new files (--no-sync), trust auth, then a
// pg_hba.conf that lets in the cluster's subnet only. fsync/full_page_writes off:
// a throwaway test database need not survive a host crash.
const POSTGRES = [
  'D={{input.folders.db1}}/data',
  `[ -f "$D/PG_VERSION" ] || { ${PG_BIN}/initdb -D "$D" -U postgres -A trust -E UTF8 --locale=C --no-sync --no-instructions >/dev/null` +
    ` && echo "host all all ${SUBNET} trust" > "$D/pg_hba.conf"; }`,
  `exec ${PG_BIN}/postgres -D "$D" -c listen_addresses={{machine.address}} -p {{port}} -c unix_socket_directories={{input.folders.db1}}` +
    ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off',
].join('\n');

const SCHEMA = `CREATE TABLE IF NOT EXISTS greetings (id int PRIMARY KEY, greeting text NOT NULL);
INSERT INTO greetings VALUES (1, 'hello world') ON CONFLICT (id) DO NOTHING;`;

export default defineConfig({
  stateFile: '.groundwork/state.json',
  groups: {
    db: {
      provisioners: () => [
        machines('db1'),
        new RouteSubnet({ subnet: SUBNET }),
        new MachineFolder({ owner: 'postgres', keyPaths: [keys] }),
        new RemoteService({ command: POSTGRES, port: 5432, user: 'postgres', keyPaths: [keys] }),
        new PostgresSchema({ sql: SCHEMA, keyPaths: [keys] }),
      ],
    },
    app: {
      dependsOn: ['db'],
      provisioners: () => [
        machines('app1', 'app2'),
        new RouteSubnet({ subnet: SUBNET }),
        new RemoteService({
          command: `exec node --import tsx ${APP} --host {{machine.address}} --port {{port}} --node {{machine.name}} --db {{dependencies.db.url}}`,
          port: 8080,
          cwd: REPO, // where `tsx` resolves from
          keyPaths: [keys],
        }),
      ],
    },
    lb: {
      dependsOn: ['app'],
      provisioners: () => [
        machines('lb1'),
        new RouteSubnet({ subnet: SUBNET }),
        new MachineFolder({ owner: 'www-data', keyPaths: [keys] }),
        new NginxConfig({ upstream: 'app', port: 80, keyPaths: [keys] }),
        new RemoteService({
          command: `exec ${NGINX} -p {{input.folders.lb1}}/ -c {{input.folders.lb1}}/nginx.conf -e stderr -g 'daemon off;'`,
          port: 80,
          keyPaths: [keys],
        }),
        new ServiceUrl(), // the output: the LB's URL, so `output lb` prints just that
      ],
    },
  },
  drivers: { netns: {} },
});

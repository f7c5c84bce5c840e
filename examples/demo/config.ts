// The demo cluster: a `db` that serves "hello world", and an `app` that reads
// the db's address from its dependencies and serves the value over HTTP.
import { fileURLToPath } from 'node:url';
import { defineConfig, HttpCheck, LocalService } from '../../src/index.js';

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
// Run the TypeScript servers with the tsx this project already depends on.
const node = (script: string) => ({ command: process.execPath, args: ['--import', 'tsx', here(script)] });

export default defineConfig({
  stateFile: '../../.groundwork/state.json',
  groups: {
    db: {
      provisioners: () => [
        new LocalService({
          ...node('./db-server.ts'),
          args: [...node('./db-server.ts').args, '--port', '{{port}}', '--value', 'hello world'],
          port: 'auto',
        }),
      ],
    },
    app: {
      dependsOn: ['db'],
      provisioners: () => [
        new LocalService({
          ...node('./app-server.ts'),
          args: [...node('./app-server.ts').args, '--port', '{{port}}', '--db', '{{dependencies.db.address}}'],
          port: 'auto',
        }),
        new HttpCheck({ url: 'http://{{input.address}}/', expectBody: 'hello world' }),
      ],
    },
  },
});

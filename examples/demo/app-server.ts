// The "application": an HTTP server that loads its value from the db on every request.
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, db: { type: 'string' } },
});
if (!values.port || !values.db) {
  console.error('usage: app-server --port N --db HOST:PORT [--host H]');
  process.exit(2);
}
const [dbHost, dbPort] = values.db.split(':') as [string, string];

function readDb(): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: dbHost, port: Number(dbPort) });
    socket.setTimeout(2_000, () => socket.destroy(new Error('db timed out')));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

const server = createServer((_req, res) => {
  readDb().then(
    (value) => res.writeHead(200, { 'content-type': 'text/plain' }).end(value),
    (error: Error) => res.writeHead(502, { 'content-type': 'text/plain' }).end(`db unavailable: ${error.message}`),
  );
});
server.listen(Number(values.port), values.host, () =>
  console.log(`app on http://${values.host}:${values.port}/ reading db at ${values.db}`),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));

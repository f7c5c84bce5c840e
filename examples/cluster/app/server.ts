// The example application: an HTTP server that loads its greeting from PostgreSQL
// on every `GET /` (so a changed row shows at once), and answers `GET /heartbeat`
// with its node name (so a test sees which node answered through the LB).
//   node --import tsx server.ts --host ADDR --port N --node NAME --db postgres://user@host:port/db
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import pg from 'pg';

const { values } = parseArgs({
  options: { host: { type: 'string' }, port: { type: 'string' }, node: { type: 'string' }, db: { type: 'string' } },
});
const { host, port, node, db } = values;
if (!host || !port || !node || !db) {
  console.error('usage: server.ts --host ADDR --port N --node NAME --db postgres://…');
  process.exit(2);
}

// A small pool: connections are reused across requests; a dropped one is replaced.
const pool = new pg.Pool({ connectionString: db, max: 4, connectionTimeoutMillis: 2_000, idleTimeoutMillis: 10_000 });
pool.on('error', (error) => console.error(`pg pool: ${error.message}`)); // an idle client lost; the pool makes a new one

async function greeting(): Promise<string> {
  const { rows } = await pool.query<{ greeting: string }>('SELECT greeting FROM greetings ORDER BY id LIMIT 1');
  return rows[0]?.greeting ?? '';
}

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'GET' && path === '/heartbeat') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end(node);
  } else if (req.method === 'GET' && path === '/') {
    greeting().then(
      (text) => res.writeHead(200, { 'content-type': 'text/plain' }).end(text),
      (error: Error) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`database unavailable: ${error.message}`),
    );
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }
});
// Keep-alive connections from nginx's upstream pool outlive a request; let them idle a while.
server.keepAliveTimeout = 30_000;
server.listen(Number(port), host, () => console.log(`${node} listening on ${host}:${port}`));

function stop(): void {
  server.close();
  server.closeAllConnections();
  void pool.end().finally(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

// A tiny "database": every TCP connection receives the stored value, then closes.
import { createServer } from 'node:net';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { port: { type: 'string' }, host: { type: 'string', default: '127.0.0.1' }, value: { type: 'string' } },
});
if (!values.port || values.value === undefined) {
  console.error('usage: db-server --port N --value TEXT [--host H]');
  process.exit(2);
}

const value = values.value;
const server = createServer((socket) => socket.end(value));
server.listen(Number(values.port), values.host, () =>
  console.log(`db serving ${JSON.stringify(values.value)} on ${values.host}:${values.port}`),
);
process.on('SIGTERM', () => server.close(() => process.exit(0)));

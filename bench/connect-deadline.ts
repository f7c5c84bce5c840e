// How long connectSsh takes to give up, against its connectDeadlineMs: a black hole (accepts, never
// answers: each attempt ends by readyTimeoutMs) and a port where nothing listens (refused at once,
// retried with backoff). The tests assert that it fails by its deadline with a clear error; the
// figures live here. No sshd needed. Usage: npx tsx bench/connect-deadline.ts [--runs 5]
import { createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPair } from '../src/keys/generate.js';
import { connectSsh } from '../src/transport/connect.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
const runs = Number(values.runs);
const keyDir = await mkdtemp(join(tmpdir(), 'groundwork-bench-key-'));
const privateKey = await readFile((await generateKeyPair(join(keyDir, 'id'))).privateKeyPath, 'utf8').finally(() =>
  rm(keyDir, { recursive: true, force: true }),
);

async function listen(onConnection: (socket: Socket) => void): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('no port');
  return {
    port: address.port,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function measure(port: number, deadlineMs: number, readyTimeoutMs: number): Promise<{ ms: number; attempts: number }> {
  const start = performance.now();
  const error = await connectSsh({ name: 'bench', host: '127.0.0.1', port, username: 'root', privateKey, connectDeadlineMs: deadlineMs, readyTimeoutMs }).then(
    () => {
      throw new Error('connected?');
    },
    (e: unknown) => e as Error,
  );
  const ms = performance.now() - start;
  const attempts = Number(/tried (\d+) time/.exec(error.message)?.[1] ?? NaN);
  return { ms, attempts };
}

const cases: Array<{ name: string; deadlineMs: number; readyTimeoutMs: number; port: () => Promise<{ port: number; close(): Promise<void> }> }> = [
  { name: 'black hole', deadlineMs: 1_000, readyTimeoutMs: 300, port: () => listen(() => {}) },
  {
    name: 'refused',
    deadlineMs: 700,
    readyTimeoutMs: 5_000,
    port: async () => {
      const free = await listen(() => {});
      await free.close(); // nothing listens there now
      return { port: free.port, close: async () => {} };
    },
  },
];

console.log('| case | connectDeadlineMs | readyTimeoutMs | runs | attempts | give-up ms min / median / max | over the deadline, median ms |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const c of cases) {
  const results: Array<{ ms: number; attempts: number }> = [];
  for (let i = 0; i < runs; i++) {
    const target = await c.port();
    try {
      results.push(await measure(target.port, c.deadlineMs, c.readyTimeoutMs));
    } finally {
      await target.close();
    }
  }
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)]!;
  const attempts = [...new Set(results.map((r) => r.attempts))].join('/');
  console.log(
    `| ${c.name} | ${c.deadlineMs} | ${c.readyTimeoutMs} | ${runs} | ${attempts} | ${ms[0]!.toFixed(0)} / ${median.toFixed(0)} / ${ms.at(-1)!.toFixed(0)} | ${(median - c.deadlineMs).toFixed(0)} |`,
  );
}

import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Proxy {
  port: number;
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** Resolves once no accepted connection is open any more. */
  whenIdle(): Promise<void>;
  /** Destroy every socket and stop listening. */
  close(): Promise<void>;
}

export interface ForwardingProxy extends Proxy {
  /** Destroy both sides of every open connection with a TCP RST, mid-session. */
  reset(): void;
  /** Stop forwarding in both directions but keep the sockets open (a black hole after connect). */
  freeze(): void;
}

function listen(
  onConnection: (socket: Socket) => void,
): Promise<{ server: Server; port: number; sockets: Set<Socket>; count: () => number; whenIdle(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let count = 0;
  const idle: (() => void)[] = [];
  const server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('close', () => {
      sockets.delete(socket);
      if (sockets.size === 0) for (const resolve of idle.splice(0)) resolve();
    });
    onConnection(socket);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address !== 'object' || address === null) return reject(new Error('no address'));
      resolve({
        server,
        port: address.port,
        sockets,
        count: () => count,
        whenIdle: () => (sockets.size === 0 ? Promise.resolve() : new Promise<void>((r) => idle.push(r))),
      });
    });
  });
}

function closer(server: Server, sockets: () => Iterable<Socket>): () => Promise<void> {
  return () => {
    for (const socket of [...sockets()]) socket.destroy();
    return new Promise((resolve) => server.close(() => resolve()));
  };
}

/** Accepts connections and never answers: reads and discards, keeps the socket open. */
export async function blackHole(): Promise<Proxy> {
  const { server, port, sockets, count, whenIdle } = await listen((socket) => socket.resume());
  return {
    port,
    get connections() {
      return count();
    },
    whenIdle,
    close: closer(server, () => sockets),
  };
}

/**
 * Forwards to `target`; `reset()` ends every connection with RST (also after
 * `bytes` bytes from the server, if given), `freeze()` stops forwarding.
 */
export async function resetAfter(target: { host: string; port: number }, options: { bytes?: number } = {}): Promise<ForwardingProxy> {
  const upstreams = new Set<Socket>();
  let frozen = false;
  const resetAll = () => {
    for (const socket of [...upstreams, ...listening.sockets]) socket.resetAndDestroy();
  };
  const listening = await listen((client) => {
    const upstream = connect({ host: target.host, port: target.port });
    upstreams.add(upstream);
    upstream.on('error', () => client.destroy());
    upstream.once('close', () => {
      upstreams.delete(upstream);
      client.destroy();
    });
    client.once('close', () => upstream.destroy());
    let fromServer = 0;
    client.on('data', (chunk: Buffer) => {
      if (!frozen) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (frozen) return;
      fromServer += chunk.length;
      if (options.bytes !== undefined && fromServer >= options.bytes) return resetAll();
      client.write(chunk);
    });
  });
  return {
    port: listening.port,
    get connections() {
      return listening.count();
    },
    whenIdle: listening.whenIdle,
    reset: resetAll,
    freeze() {
      frozen = true;
    },
    close: closer(listening.server, () => [...listening.sockets, ...upstreams]),
  };
}

import { connect } from 'node:net';

/** One connection: send `text`, resolve with what comes back. A refused connection rejects (no retry). */
export function echo(address: { host: string; port: number }, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.host, port: address.port });
    let got = '';
    socket.setEncoding('utf8');
    socket.once('connect', () => socket.write(text));
    socket.on('data', (chunk: string) => {
      got += chunk;
      if (got.length >= text.length) {
        socket.end();
        resolve(got);
      }
    });
    socket.once('error', reject);
  });
}

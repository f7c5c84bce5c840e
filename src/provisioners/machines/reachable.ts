import { connect } from 'node:net';

/**
 * Does an SSH server answer at host:port? Reads its identification line
 * ("SSH-2.0-…", sent before any key exchange): proof that sshd is alive and
 * serving, at the cost of one TCP round trip instead of a handshake.
 */
export function sshAnswers(host: string, port: number, signal: AbortSignal, timeoutMs = 2_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    let seen = '';
    const done = (problem: string | undefined) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(problem);
    };
    const onAbort = () => done('the check was cancelled');
    signal.addEventListener('abort', onAbort, { once: true });
    socket.setTimeout(timeoutMs, () => done(`no answer within ${timeoutMs} ms`));
    socket.on('data', (chunk: Buffer) => {
      seen += chunk.toString('latin1');
      if (seen.includes('\n')) done(seen.startsWith('SSH-') ? undefined : `it answered ${JSON.stringify(seen.trim().slice(0, 40))}, not SSH`);
    });
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code ?? error.message));
    socket.once('end', () => done('it closed the connection without a greeting'));
  });
}

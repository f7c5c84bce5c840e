// HttpCheck against a real node:http server on 127.0.0.1.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, onTestFinished, test } from 'vitest';
import { HttpCheck, registerProvisioner, Scheduler } from '../../src/index.js';
import { StubProvisioner } from '../helpers/provisioners.js';
import { tempStateFile } from '../helpers/temp.js';

/** An HTTP server on 127.0.0.1 that records the paths it was asked for; closed when the test finishes. */
async function server(handler: (req: IncomingMessage, res: ServerResponse, count: number) => void) {
  const paths: string[] = [];
  const srv = createServer((req, res) => {
    paths.push(req.url ?? '');
    handler(req, res, paths.length);
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        srv.closeAllConnections();
        srv.close(() => resolve());
      }),
  );
  return { address: `127.0.0.1:${(srv.address() as AddressInfo).port}`, paths };
}

/** Hands a known address to the next step, as a LocalService would. */
class KnownAddress extends StubProvisioner {
  constructor(public address: string) {
    super();
  }
  override startup() {
    return { address: this.address };
  }
  override report() {
    return [this.address];
  }
}
registerProvisioner(KnownAddress, 'HttpCheckTest.KnownAddress');

const stateIn = () => tempStateFile('groundwork-http-');

test('passes when the body matches, with the URL filled from the previous step, and passes its input on', async () => {
  const http = await server((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('status: hello groundwork'));
  await using s = await Scheduler.open({ stateFile: await stateIn() });
  await s.schedule('web', [
    new KnownAddress(http.address),
    new HttpCheck({ url: 'http://{{input.address}}/health', expectBody: 'hello groundwork' }),
  ]);

  const summary = await s.run();
  expect(summary.groups).toEqual([{ group: 'web', state: 'provisioned' }]);
  expect(http.paths).toEqual(['/health']);
  expect(s.output('web')).toEqual({
    address: http.address,
    url: `http://${http.address}/health`,
    body: 'status: hello groundwork',
  });
  expect(s.status()[0]?.steps[1]?.report).toEqual([`GET http://${http.address}/health → 200 "status: hello groundwork"`]);
});

test('keeps asking until the body matches', async () => {
  const http = await server((_req, res, count) => res.writeHead(200).end(count < 3 ? 'warming up' : 'ready'));
  await using s = await Scheduler.open({ stateFile: await stateIn() });
  await s.schedule('web', [new HttpCheck({ url: `http://${http.address}/`, expectBody: 'ready' })]);

  expect((await s.run()).ok).toBe(true);
  expect(http.paths).toEqual(['/', '/', '/']);
  expect(s.output('web')).toMatchObject({ url: `http://${http.address}/`, body: 'ready' });
});

test('fails with a clear message when the body never matches', async () => {
  const http = await server((_req, res) => res.writeHead(200).end('nope'));
  await using s = await Scheduler.open({ stateFile: await stateIn() });
  await s.schedule('web', [new HttpCheck({ url: `http://${http.address}/`, expectBody: 'never-there', timeoutMs: 300 })]);

  const summary = await s.run();
  expect(summary.ok).toBe(false);
  expect(summary.groups[0]).toMatchObject({ group: 'web', state: 'failed' });
  const error = summary.groups[0]?.error ?? '';
  expect(error).toContain(`GET http://${http.address}/: got 200 "nope", expected 200 with "never-there" (gave up after 300 ms)`);
  expect(http.paths.length).toBeGreaterThan(0);
});

test('fails when the status differs from expectStatus', async () => {
  const http = await server((_req, res) => res.writeHead(503).end('maintenance'));
  await using s = await Scheduler.open({ stateFile: await stateIn() });
  await s.schedule('web', [new HttpCheck({ url: `http://${http.address}/`, timeoutMs: 200 })]);

  const summary = await s.run();
  expect(summary.ok).toBe(false);
  expect(summary.groups[0]?.error).toContain('got 503 "maintenance", expected 200 (gave up after 200 ms)');
});

import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { writeResponse } from '../../../runtimes/shared/httpProtocol.js';
import { readBody } from '../../../runtimes/shared/httpRequest.js';
import { HttpServerLifecycle, listen } from '../../../runtimes/shared/lifecycle.js';

// The stop of a node:http runtime, in this process: a real server, real sockets. (The end-to-end tests see a
// runtime's process exit, which closes every socket whether or not the stop did.)

/** What happened to a client's socket: closed by the server, or still open when `waitMs` had passed. */
function closedWithin(socket: Socket, waitMs: number): Promise<'closed' | 'open'> {
  if (socket.destroyed || socket.readableEnded) return Promise.resolve('closed');
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('open'), waitMs);
    socket.once('close', () => { clearTimeout(timer); resolve('closed'); });
  });
}

describe('HttpServerLifecycle.stop on a real node:http server', () => {
  let lifecycle: HttpServerLifecycle;
  let server: Server;
  let port: number;
  const sockets: Socket[] = [];
  /** Resolves with each request's method and path as its handler starts. */
  let arrived: Promise<string>;
  let onArrival: (what: string) => void;

  beforeEach(async () => {
    lifecycle = new HttpServerLifecycle();
    arrived = new Promise((resolve) => { onArrival = resolve; });
    // The adapters' order: read the body (here with a minute to arrive), then answer.
    server = createServer(lifecycle.listener((req, res) => {
      onArrival(`${req.method} ${req.url}`);
      void readBody(req, 60_000).then(({ body, unread }) => {
        writeResponse(res, { status: 200, headers: { 'content-type': 'text/plain' }, body: `read ${body.length}` }, unread !== undefined || lifecycle.stopping);
      });
    }));
    await listen(server, 'test', '127.0.0.1', 0, 'PORT');
    port = (server.address() as { port: number }).port;
  });
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
    server.closeAllConnections();
    server.close();
  });

  async function open(): Promise<Socket> {
    const socket = connect(port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    return socket;
  }

  it('a stalled upload (headers and half its body sent, the rest never) has its socket closed by the stop, at the deadline', async () => {
    const socket = await open();
    let received = '';
    socket.on('data', (chunk: Buffer) => { received += chunk.toString(); });
    socket.write('POST /en/products HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name": "half');
    expect(await arrived).to.equal('POST /en/products');

    const report = await lifecycle.stop(server, 300);
    expect(report).to.deep.equal({ stillRunning: 0 });
    expect(await closedWithin(socket, 2_000), 'the stalled upload\'s socket after stop()').to.equal('closed');
    expect(received, 'nothing answered: the body never arrived').to.equal('');
    const count = await new Promise<number>((resolve, reject) => server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
    expect(count, 'connections left on the server').to.equal(0);
  });

  it('an idle keep-alive connection is closed by the stop after a short grace, long before the deadline', async () => {
    const socket = await open();
    let received = '';
    socket.on('data', (chunk: Buffer) => { received += chunk.toString(); });
    socket.write('GET /en HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await arrived).to.equal('GET /en');
    for (let i = 0; i < 200 && !received.endsWith('read 0'); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(received).to.match(/^HTTP\/1\.1 200 OK\r\n/).and.match(/read 0$/);

    // A 30 s deadline: the connection is closed by the idle sweep (after idleGraceMs, 500 ms), not by the cut at the deadline.
    const stopped = lifecycle.stop(server, 30_000);
    expect(await closedWithin(socket, 5_000), 'the idle connection, 5 s into a 30 s stop').to.equal('closed');
    expect(await stopped).to.deep.equal({ stillRunning: 0 });
  });
});

import { expect } from 'chai';
import type { Application } from '../../../core/app.js';
import { Tables } from '../../../core/db/tables.js';
import { BODY_LIMIT_BYTES } from '../../../core/http/body.js';
import { RUNTIME_NAMES, type LaunchedRuntime } from '../../../runtimes/launcher.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { RawConnection, type RawHttpResponse } from '../../support/rawConnection.js';
import { startRuntime } from '../../support/runtimes.js';

// The mechanics of the HTTP adapters on the three runtimes, over raw TCP: when 408 and 413 are answered and
// that they close the connection, keep-alive after a 4xx, HEAD, chunked bodies, Expect: 100-continue,
// pipelining, and what each HTTP parser does with a request it refuses. (The broad hostile-request corpus
// is hostile.test.ts.)

const REQUEST_TIMEOUT_MS = 1_000;
const HOST = 'Host: 127.0.0.1\r\n';

function get(path: string, method = 'GET'): string {
  return `${method} ${path} HTTP/1.1\r\n${HOST}\r\n`;
}

function post(path: string, body: string, headers = ''): string {
  return `POST ${path} HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${headers}\r\n${body}`;
}

function chunk(data: string | Buffer): Buffer {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  return Buffer.concat([Buffer.from(`${bytes.length.toString(16)}\r\n`), bytes, Buffer.from('\r\n')]);
}

function expectError(response: RawHttpResponse | undefined, status: number, code: string, what: string): void {
  expect(response, `${what}: no response`).to.not.equal(undefined);
  expect(response!.status, `${what}: ${response!.body}`).to.equal(status);
  expect(response!.headers['content-type'], what).to.match(/^application\/json/);
  expect(response!.json?.code, `${what}: ${response!.body}`).to.equal(code);
  expect(response!.json.error, what).to.be.a('string');
}

/** One request on a fresh connection; the connection is returned to look at afterwards. */
async function exchange(port: number, request: string | Buffer, ms = 3_000): Promise<{ response: RawHttpResponse | undefined; connection: RawConnection }> {
  const connection = await RawConnection.open(port);
  connection.write(request);
  return { response: await connection.response(ms), connection };
}

/** Requests node's HTTP parser refuses (llhttp); uWS's parser refuses them too, its own way. */
const UNPARSABLE: ReadonlyArray<[title: string, request: string]> = [
  ['an invalid chunk size', `POST /en/products HTTP/1.1\r\n${HOST}Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`],
  ['Content-Length with Transfer-Encoding', `POST /en/products HTTP/1.1\r\n${HOST}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`],
  ['Content-Length: -1', `POST /en/products HTTP/1.1\r\n${HOST}Content-Length: -1\r\n\r\n`],
  ['an unknown method', get('/en', 'FOO')],
];

/** What node's parser lets through and HTTP/1.1 refuses: the node:http runtimes answer it 400 themselves. */
const NOT_HTTP11: ReadonlyArray<[title: string, request: string]> = [
  ['CONNECT', 'CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n'],
  ['HTTP/1.1 without Host', 'GET /en HTTP/1.1\r\n\r\n'],
  ['version HTTP/1.2', `GET /en HTTP/1.2\r\n${HOST}\r\n`],
  ['OPTIONS *', get('*', 'OPTIONS')],
];

/** What uWS's parser neither answers nor closes at once: the connection is closed by its idle timeout. */
const UWS_SILENT: ReadonlyArray<[title: string, request: string]> = [
  ['a raw space in the path', get('/en/pro ducts')],
  ['an absolute-form target', `GET http://127.0.0.1/en HTTP/1.1\r\n${HOST}\r\n`],
  ['OPTIONS *', get('*', 'OPTIONS')],
  ['49 headers', `GET /en HTTP/1.1\r\n${HOST}${Array.from({ length: 48 }, (_, i) => `X-H${i}: v\r\n`).join('')}\r\n`],
  ['headers that never end', `GET /en HTTP/1.1\r\n${HOST}`],
  ['CONNECT', 'CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n\r\n'],
  ['HTTP/1.1 without Host', 'GET /en HTTP/1.1\r\n\r\n'],
  ['HTTP/1.0', `GET /en HTTP/1.0\r\n${HOST}\r\n`],
];

describe('HTTP adapters on the three runtimes (raw TCP)', function () {
  this.timeout(60_000);
  let app: Application;

  before(async () => {
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
  });
  after(async () => {
    await app.close();
  });

  for (const name of RUNTIME_NAMES) {
    describe(name, () => {
      let runtime: LaunchedRuntime;
      let port: number;
      const open: RawConnection[] = [];
      const connection = async () => {
        const c = await RawConnection.open(port);
        open.push(c);
        return c;
      };

      before(async () => {
        runtime = await startRuntime(name, { REQUEST_TIMEOUT_MS: String(REQUEST_TIMEOUT_MS) });
        port = Number(new URL(runtime.url).port);
      });
      afterEach(() => {
        for (const c of open.splice(0)) c.destroy();
      });
      after(async () => {
        await runtime.stop();
      });

      it('answers 404 for a path that differs from a route by case or a trailing slash', async () => {
        const c = await connection();
        for (const path of ['/en/products/db/1/', '/en/PRODUCTS/db/1', '/en/products/DB/1', '/EN/products', '/en/products/']) {
          c.write(get(path));
          expectError(await c.response(3_000), 404, 'NOT_FOUND', path);
        }
        c.write(get('/en/products/db/1'));
        expect((await c.response(3_000))?.status, 'the route itself').to.equal(200);
      });

      it('answers 400 JSON for every malformed percent-encoding in a path, never a 500', async () => {
        const c = await connection();
        for (const path of ['/en/products/db/%', '/en/products/projection/%E0%A4%A', '/en/products/db/%zz', '/en/products/%C0%80',
          '/en/products/db/%ff', '/en/products/%ED%A0%80', '/en%/products', '/en/orders/%E0%A4']) {
          c.write(get(path));
          expectError(await c.response(3_000), 400, 'VALIDATION_FAILED', path);
        }
      });

      it('keeps the connection open after a 4xx and answers the next request on it', async () => {
        const c = await connection();
        const errors: ReadonlyArray<[string, number]> = [
          [get('/en/products/db/abc'), 400], [get('/en/invoices'), 404], [get('/en', 'DELETE'), 405],
          [post('/en/products', '{"name": '), 400], [post('/en/products', '<p/>').replace('application/json', 'application/xml'), 415],
          [post('/en/products', '{}', 'Content-Encoding: br\r\n'), 415],
        ];
        for (const [request, status] of errors) {
          c.write(request);
          const response = await c.response(3_000);
          expect(response?.status, request.split('\r\n')[0]).to.equal(status);
          expect(response?.headers.connection ?? 'keep-alive', request.split('\r\n')[0]).to.not.match(/close/i);
          c.write(get('/en/products/db/1'));
          expect((await c.response(3_000))?.json?.product?.id, `after ${status}`).to.equal(1);
        }
        expect(c.closed).to.equal(false);
      });

      it('answers HEAD as GET without a body, and the connection goes on', async () => {
        const c = await connection();
        c.write(get('/en/products/db/2'));
        const full = await c.response(3_000);
        c.write(get('/en/products/db/2', 'HEAD'));
        const head = await c.response(3_000, { head: true });
        expect(head?.status).to.equal(200);
        expect(head?.headers['content-length']).to.equal(String(Buffer.byteLength(full!.body)));
        c.write(get('/en/products/db/3'));
        expect((await c.response(3_000))?.json?.product?.id, 'the request after the HEAD').to.equal(3);
        expect(c.unread.length, 'no stray body bytes').to.equal(0);
      });

      it('reads a chunked body and a body sent after 100 Continue', async () => {
        const c = await connection();
        const body = JSON.stringify({ name: `chunked ${name}`, price: '1.00' });
        c.write(`POST /en/products HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
        c.write(Buffer.concat([chunk(body.slice(0, 7)), chunk(body.slice(7)), Buffer.from('0\r\n\r\n')]));
        const chunked = await c.response(3_000);
        expect(chunked?.status, chunked?.body).to.equal(201);
        expect(chunked?.json.product.name).to.equal(`chunked ${name}`);

        const expecting = JSON.stringify({ name: `expect ${name}`, price: '1.00' });
        c.write(post('/en/products', '', 'Expect: 100-continue\r\n').replace('Content-Length: 0', `Content-Length: ${expecting.length}`));
        const interim = await c.response(3_000, { interim: true });
        expect(interim?.status, 'sent before the body').to.equal(100);
        c.write(expecting);
        const created = await c.response(3_000);
        expect(created?.status, created?.body).to.equal(201);
        expect(created?.json.product.name).to.equal(`expect ${name}`);
      });

      it('answers pipelined requests in order', async () => {
        const c = await connection();
        c.write(get('/en') + get('/en/products/db/abc') + get('/en/invoices'));
        expect((await c.response(3_000))?.status).to.equal(200);
        expect((await c.response(3_000))?.status).to.equal(400);
        expect((await c.response(3_000))?.status).to.equal(404);
        const d = await connection();
        d.write(get('/en/products/projection/1') + get('/en/products/db/2'));
        const first = await d.response(3_000);
        if (name === 'uws') {
          // Known limit (docs/operations.md): uWS closes a connection on which a request arrives while the previous one
          // waits for I/O, answering neither.
          expect(first, 'uws answered a pipelined request behind an I/O read').to.equal(undefined);
          expect(d.closed).to.equal(true);
        } else {
          expect(first?.json?.product?.id).to.equal(1);
          expect((await d.response(3_000))?.json?.product?.id).to.equal(2);
        }
      });

      it('two writes pipelined in one TCP write: both answered in order (fork, express); on uws neither answered, neither written', async () => {
        const products = async () => Number(((await app.knex(Tables.products).count({ n: '*' })) as Array<{ n: number | string }>)[0]!.n);
        const body = (i: number) => JSON.stringify({ name: `pipelined ${name} ${i}`, price: '1.00' });
        for (const [what, second, writes] of [
          ['POST, POST', post('/en/products', body(2)), 2],
          ['POST, GET', get('/en/products/db/1'), 1],
        ] as const) {
          const before = await products();
          const c = await connection();
          const started = Date.now();
          c.write(post('/en/products', body(1)) + second);
          if (name === 'uws') {
            // uWS refuses async pipelining: a request arriving while another waits for I/O closes the connection,
            // answering neither. The write is then never handed to the application (docs/operations.md, Known limits).
            expect(await c.waitClosed(3_000), `${what}: closed`).to.equal(true);
            expect(Date.now() - started, `${what}: closed at once`).to.be.below(1_000);
            expect(c.unread.length, `${what}: bytes received`).to.equal(0);
            await new Promise((resolve) => setTimeout(resolve, 500)); // a write that ran would be committed by now
            expect(await products(), `${what}: rows written`).to.equal(before);
          } else {
            const first = await c.response(3_000);
            expect(first?.status, `${what}: ${first?.body}`).to.equal(201);
            expect((await c.response(3_000))?.status, what).to.equal(writes === 2 ? 201 : 200);
            expect(await products(), `${what}: rows written`).to.equal(before + writes);
          }
        }
      });

      it('answers 400 to Content-Length headers that disagree, and closes (no guess at the framing)', async () => {
        const body = JSON.stringify({ name: `two lengths ${name}`, price: '1.00' });
        const { response, connection: c } = await exchange(port, post('/en/products', body, `Content-Length: ${body.length - 5}\r\n`));
        open.push(c);
        expectError(response, 400, 'MALFORMED_REQUEST', 'two Content-Length headers');
        expect(await c.waitClosed(3_000), 'connection closed').to.equal(true);
      });

      it('answers 413 at once for a declared body over the limit, before the client sent it, and closes', async () => {
        const c = await connection();
        c.write(`POST /en/products HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: ${50 * 1024 * 1024}\r\n\r\n`);
        c.write(Buffer.alloc(70 * 1024, 'a'));
        expectError(await c.response(3_000), 413, 'BODY_TOO_LARGE', 'declared 50 MB, 70 KB sent');
        expect(c.written, 'the client had sent only this much').to.be.below(100 * 1024);
        expect(await c.waitClosed(3_000), 'connection closed').to.equal(true);
      });

      it('answers 413 as soon as a chunked body passes the limit, and closes', async () => {
        const c = await connection();
        c.write(`POST /en/products HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`);
        // Never terminated: only stopping at the limit can answer it.
        for (let sent = 0; sent <= BODY_LIMIT_BYTES; sent += 8192) c.write(chunk(Buffer.alloc(8192, 'a')));
        const response = await c.response(3_000);
        expectError(response, 413, 'BODY_TOO_LARGE', 'unterminated chunked body over the limit');
        expect(response!.headers.connection).to.match(/close/i);
        expect(await c.waitClosed(3_000), 'connection closed').to.equal(true);
      });

      it('answers 413 to Expect: 100-continue with a declared body over the limit', async () => {
        const c = await connection();
        c.write(`POST /en/products HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nExpect: 100-continue\r\nContent-Length: 70000\r\n\r\n`);
        const first = await c.response(3_000, { interim: true });
        // uWS sends 100 Continue itself, before the request reaches the adapter.
        if (name === 'uws') expect(first?.status).to.equal(100);
        const final = name === 'uws' ? await c.response(3_000) : first;
        expectError(final, 413, 'BODY_TOO_LARGE', 'Expect: 100-continue, 70000 bytes');
        expect(await c.waitClosed(3_000), 'connection closed').to.equal(true);
      });

      it('answers 408 when a declared body does not all arrive within the request timeout, and closes', async () => {
        for (const [what, head, part] of [
          ['Content-Length: 70000 with 11 bytes sent', 'Content-Length: 70000', '{"name":"x"'],
          ['Content-Length: 100 with 11 bytes sent', 'Content-Length: 100', '{"name":"x"'],
          ['a chunked body never terminated', 'Transfer-Encoding: chunked', chunk('{"name":"x"').toString('latin1')],
        ] as const) {
          const c = await connection();
          const started = Date.now();
          c.write(`POST /en/products HTTP/1.1\r\n${HOST}Content-Type: application/json\r\n${head}\r\n\r\n${part}`);
          const response = await c.response(REQUEST_TIMEOUT_MS + 4_000);
          if (head === 'Content-Length: 70000') {
            // Over the limit as declared: refused at once, nothing waited for.
            expectError(response, 413, 'BODY_TOO_LARGE', what);
          } else {
            expectError(response, 408, 'REQUEST_TIMEOUT', what);
            expect(Date.now() - started, `${what}: not before the timeout`).to.be.at.least(REQUEST_TIMEOUT_MS - 50);
          }
          expect(await c.waitClosed(3_000), `${what}: connection closed`).to.equal(true);
        }
      });

      if (name !== 'uws') {
        it('answers 400 JSON to requests its HTTP parser refuses, then closes', async () => {
          for (const [title, request] of [...UNPARSABLE, ...NOT_HTTP11]) {
            const { response, connection: c } = await exchange(port, request);
            open.push(c);
            expectError(response, 400, 'MALFORMED_REQUEST', title);
            expect(response!.headers.connection, title).to.match(/close/i);
            expect(await c.waitClosed(3_000), `${title}: connection closed`).to.equal(true);
          }
        });

        it('answers 431 JSON for headers over 16 KB', async () => {
          const { response, connection: c } = await exchange(port, `GET /en HTTP/1.1\r\n${HOST}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
          open.push(c);
          expectError(response, 431, 'HEADERS_TOO_LARGE', '20 KB header');
          expect(await c.waitClosed(3_000)).to.equal(true);
        });

        it('answers 408 JSON when the headers do not arrive within the request timeout', async () => {
          const { response, connection: c } = await exchange(port, `GET /en HTTP/1.1\r\n${HOST}`, REQUEST_TIMEOUT_MS + 4_000);
          open.push(c);
          expectError(response, 408, 'REQUEST_TIMEOUT', 'half-sent headers');
          expect(await c.waitClosed(3_000)).to.equal(true);
        });

        it('answers an absolute-form target as its path', async () => {
          const { response, connection: c } = await exchange(port, `GET http://127.0.0.1/en/products/db?page=2 HTTP/1.1\r\n${HOST}\r\n`);
          open.push(c);
          expectError(response, 400, 'VALIDATION_FAILED', 'absolute form, unknown query parameter'); // the query reached the route
          expect(response!.json.fields[0].field).to.equal('page');
          const again = await exchange(port, `GET http://127.0.0.1/en/products/db/1 HTTP/1.1\r\n${HOST}\r\n`);
          open.push(again.connection);
          expect(again.response?.json?.product?.id).to.equal(1);
        });
      } else {
        // Known limits of uWebSockets.js 20.30 (docs/operations.md): its parser answers none of these; no API reaches them.
        it('closes at once, without a status line, what its parser refuses', async () => {
          for (const [title, request] of UNPARSABLE) {
            const c = await connection();
            c.write(request);
            expect(await c.waitClosed(3_000), `${title}: closed`).to.equal(true);
            expect(c.unread.length, `${title}: bytes received`).to.equal(0);
          }
        });

        it('leaves the rest to its idle timeout: closed after about 10 s, without a status line', async () => {
          const connections = await Promise.all(UWS_SILENT.map(async ([, request]) => {
            const c = await connection();
            c.write(request);
            return c;
          }));
          const started = Date.now();
          const closed = await Promise.all(connections.map((c) => c.waitClosed(16_000)));
          UWS_SILENT.forEach(([title], i) => {
            expect(closed[i], `${title}: closed`).to.equal(true);
            expect(connections[i]!.unread.length, `${title}: bytes received`).to.equal(0);
          });
          expect(Date.now() - started, 'the idle timeout, not a parser error').to.be.at.least(5_000);
        });
      }
    });
  }

  describe('uws at the default REQUEST_TIMEOUT_MS (10 s: longer than uWS lets a connection idle)', () => {
    let runtime: LaunchedRuntime;
    const open: RawConnection[] = [];
    after(async () => {
      for (const c of open) c.destroy();
      await runtime?.stop();
    });

    it('answers 408 to every stalled body before uWS closes the connection: 20 tries spread over its 4 s tick', async function () {
      this.timeout(40_000);
      runtime = await startRuntime('uws', {});
      const port = Number(new URL(runtime.url).port);
      // uWS closes a connection idle for 10 s on a 4 s tick (8 to 12 s after its last bytes, by the tick's phase):
      // the tries start 200 ms apart, so that together they meet every phase of it.
      const tries = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
        await new Promise((resolve) => setTimeout(resolve, i * 200));
        const c = await RawConnection.open(port);
        open.push(c);
        const started = Date.now();
        c.write(`POST /en/products HTTP/1.1\r\n${HOST}Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":"x"`);
        const response = await c.response(15_000);
        return { response, ms: Date.now() - started, closed: await c.waitClosed(2_000) };
      }));
      const answered = tries.filter((t) => t.response?.status === 408 && t.response.json?.code === 'REQUEST_TIMEOUT' && t.closed);
      expect(answered.length, tries.map((t) => `${t.response?.status ?? 'no answer'} after ${t.ms} ms`).join(', ')).to.equal(20);
      for (const { ms } of tries) expect(ms, 'the body timer (7 s), before the earliest idle close (8 s)').to.be.within(6_900, 8_000);
    });
  });
});

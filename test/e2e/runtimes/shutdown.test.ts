import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Application } from '../../../core/app.js';
import { launchRuntime, PORT_VARIABLES, RUNTIME_NAMES, runtimeScript, type LaunchedRuntime, type RuntimeName } from '../../../runtimes/launcher.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { KeepAliveClients, type Outcome } from '../../support/keepAliveClients.js';
import { freePort } from '../../support/net.js';
import { call, metricSum, parseMetrics } from '../../support/runtimes.js';

const DEADLINE_MS = 1_500;
const TEST_ENV = { DEBUG_ROUTES: '1', FORK_WORKERS: '2', UWS_WORKERS: '2', PROJECTOR_INTERVAL_MS: '100', REQUEST_TIMEOUT_MS: '60000' };

/** A runtime on a free port whose log the test can read. */
async function start(name: RuntimeName, env: Record<string, string> = {}): Promise<{ runtime: LaunchedRuntime; log: string }> {
  const log = join(mkdtempSync(join(tmpdir(), 'shutdown-')), `${name}.log`);
  const runtime = await launchRuntime({ name, port: await freePort(), env: { ...TEST_ENV, SHUTDOWN_DEADLINE_MS: String(DEADLINE_MS), ...env }, logFile: log });
  return { runtime, log };
}

/** SIGTERM, then the exit code and how long the exit took. */
async function terminate(runtime: LaunchedRuntime): Promise<{ code: number | null; ms: number }> {
  const started = Date.now();
  const code = await runtime.stop();
  return { code, ms: Date.now() - started };
}

function openConnection(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The next response on a keep-alive connection (Content-Length framed). */
function nextResponse(socket: Socket): Promise<{ status: number; close: boolean; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    let data = '';
    const onData = (chunk: Buffer) => {
      data += chunk.toString('latin1');
      const end = data.indexOf('\r\n\r\n');
      if (end === -1) return;
      const head = data.slice(0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (data.length < end + 4 + length) return;
      socket.off('data', onData);
      resolve({ status: Number(head.slice(9, 12)), close: /\r\nconnection: *close/i.test(head), json: JSON.parse(data.slice(end + 4, end + 4 + length)) });
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`connection closed without a (whole) response: ${JSON.stringify(data)}`)));
  });
}

const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

function summary(outcomes: readonly Outcome[]): string {
  const count = (f: (o: Outcome) => boolean) => outcomes.filter(f).length;
  return `${outcomes.length} requests: ${count((o) => !o.sentAfterSignal && o.status !== undefined)} answered before the signal, ` +
    `${count((o) => o.sentAfterSignal && o.status !== undefined && o.status < 300)} answered 2xx and ${count((o) => o.status === 503)} refused 503 after it, ` +
    `${count((o) => o.status === undefined)} without a status line`;
}

describe('runtimes stopping (SIGTERM)', function () {
  this.timeout(120_000);
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
      let runtime: LaunchedRuntime | undefined;
      afterEach(async () => {
        if (runtime && runtime.process.exitCode === null) runtime.process.kill('SIGKILL');
        runtime = undefined;
      });

      it('under 100 keep-alive clients sending reads and writes: exit 0 within the deadline, every request answered or refused, every 201 stored and no 503', async () => {
        // The default deadline: a fork master may hold ~100 queued requests at the signal, each needing a child.
        const deadline = 10_000;
        const started = await start(name, { SHUTDOWN_DEADLINE_MS: String(deadline) });
        runtime = started.runtime;
        const port = Number(new URL(runtime.url).port);
        const prefix = `stop-${name}-${Date.now()}`;
        const clients = new KeepAliveClients(port, (client, seq) => {
          const id = 1 + ((client + seq) % 30);
          if (seq % 3 === 0) return { method: 'POST', path: '/en/products', body: { name: `${prefix}-${client}-${seq}`, price: '1.00' } };
          return { method: 'GET', path: seq % 3 === 1 ? `/en/products/projection/${id}` : `/en/products/db/${id}` };
        });
        await clients.start(100);
        // Every connection accepted and served once: a connection still in the kernel's accept queue when the
        // listening socket closes is reset by the kernel, its request never read (counted as refused below).
        await clients.everyClientAnswered(100);
        await new Promise((resolve) => setTimeout(resolve, 500));
        clients.markSignal();
        const { code, ms } = await terminate(runtime);
        await clients.stop();
        const outcomes = clients.outcomes;
        const report = summary(outcomes);
        const resetUnread = outcomes.filter((o) => o.status === undefined && o.sentAfterSignal && o.answeredBefore === 0).length;
        console.log(`      ${name}: ${report} (${resetUnread} on new connections reset before they were accepted); ${clients.refusedConnects} connections refused; exit ${code} after ${ms} ms`);

        expect(code, report).to.equal(0);
        expect(ms, 'ms from SIGTERM to exit').to.be.below(deadline + 1_000);
        expect(outcomes.filter((o) => !o.sentAfterSignal && o.status !== undefined).length, 'load before the signal').to.be.above(100);
        // A request is cut when its connection ends without a status line. The one exception is not a cut: a
        // connection opened after the signal, reset by the kernel because the listening socket closed before the
        // server accepted it (nothing of the request was read).
        const cut = outcomes.filter((o) => o.status === undefined && !(o.sentAfterSignal && o.answeredBefore === 0));
        expect(cut, `requests cut: ${JSON.stringify(cut.slice(0, 5))}`).to.deep.equal([]);
        const unexpected = outcomes.filter((o) => o.status !== undefined && ![200, 201, 503].includes(o.status));
        expect(unexpected.map((o) => `${o.status} ${JSON.stringify(o.json)}`), 'statuses other than 200, 201, 503').to.deep.equal([]);
        for (const refused of outcomes.filter((o) => o.status === 503 && o.sentAfterSignal)) {
          expect(refused.json.code).to.equal('SERVICE_UNAVAILABLE');
          expect(refused.connectionClose, '503 after the signal closes its connection').to.equal(true);
        }
        // No more serving after the signal: per connection, at most the request that crossed the signal on the
        // way is served; every connection's last answer told its client to close.
        const servedAfter = new Map<number, number>();
        for (const o of outcomes) if (o.sentAfterSignal && o.status !== undefined && o.status < 300) servedAfter.set(o.client, (servedAfter.get(o.client) ?? 0) + 1);
        expect(Math.max(0, ...servedAfter.values()), 'requests served on one connection after the signal').to.be.at.most(2);
        for (let client = 0; client < 100; client++) {
          const answered = outcomes.filter((o) => o.client === client && o.status !== undefined);
          expect(answered.at(-1)?.connectionClose, `client ${client}'s last answer has Connection: close`).to.equal(true);
        }

        const names = (status: number) => outcomes.filter((o) => o.request.method === 'POST' && o.status === status).map((o) => (o.request.body as { name: string }).name);
        const rows = (await app.knex('products').where('name', 'like', `${prefix}-%`).select('name')).map((r: { name: string }) => r.name);
        const stored = new Set(rows);
        const created = names(201);
        const lost = created.filter((n) => !stored.has(n));
        const duplicated = rows.length - stored.size;
        console.log(`      ${name}: writes ${created.length} acknowledged, ${rows.length} rows stored, ${lost.length} lost, ${duplicated} duplicated, ${names(503).length} refused`);
        expect(created.length, 'writes acknowledged').to.be.above(10);
        expect(lost, 'acknowledged writes missing from MySQL').to.deep.equal([]);
        expect(duplicated, 'writes stored twice').to.equal(0);
        expect(names(503).filter((n) => stored.has(n)), 'refused writes found in MySQL').to.deep.equal([]);
        expect(rows.length, 'rows written = writes acknowledged').to.equal(created.length);
      });

      it('in flight at the signal: answered with Connection: close; a new request on an open keep-alive connection: 503 with Connection: close', async () => {
        ({ runtime } = await start(name));
        const port = Number(new URL(runtime.url).port);
        const idle = await openConnection(port);
        idle.write('GET /en/products/db/1 HTTP/1.1\r\nHost: x\r\n\r\n');
        expect((await nextResponse(idle)).close).to.equal(false);
        const busy = await openConnection(port);
        const slow = nextResponse(busy);
        busy.write('GET /debug/sleep/700 HTTP/1.1\r\nHost: x\r\n\r\n');
        await new Promise((resolve) => setTimeout(resolve, 150));
        const exit = terminate(runtime);
        await new Promise((resolve) => setTimeout(resolve, 150));
        const refused = nextResponse(idle);
        idle.write('GET /en/products/db/1 HTTP/1.1\r\nHost: x\r\n\r\n');
        expect(await refused).to.deep.equal({ status: 503, close: true, json: { error: 'The server is shutting down', code: 'SERVICE_UNAVAILABLE' } });
        const answered = await slow;
        expect([answered.status, answered.close]).to.deep.equal([200, true]);
        await Promise.all([closed(idle), closed(busy)]);
        expect((await exit).code).to.equal(0);
      });

      it(`a stalled upload and half-sent headers are cut at the deadline (${DEADLINE_MS} ms): exit 0`, async () => {
        ({ runtime } = await start(name));
        const port = Number(new URL(runtime.url).port);
        const upload = await openConnection(port);
        upload.write('POST /en/products HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":"s');
        const headers = await openConnection(port);
        headers.write('GET /en/products/db/1 HTTP/1.1\r\nHost: x\r\nAccept: appl');
        await new Promise((resolve) => setTimeout(resolve, 200));
        const { code, ms } = await terminate(runtime);
        expect(code).to.equal(0);
        expect(ms, 'ms from SIGTERM to exit').to.be.below(DEADLINE_MS + 1_500);
        await Promise.all([closed(upload), closed(headers)]);
      });

      it('clients that abort their uploads leave no request counted in flight: busy workers back to 0, a stop does not wait', async () => {
        ({ runtime } = await start(name, { SHUTDOWN_DEADLINE_MS: '8000' }));
        const port = Number(new URL(runtime.url).port);
        for (let i = 0; i < 4; i++) {
          const socket = await openConnection(port);
          socket.write('POST /en/products HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name": "aborted');
          await new Promise((resolve) => setTimeout(resolve, 50));
          socket.destroy();
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
        const series = parseMetrics((await call(runtime.url, 'GET', '/metrics')).text);
        if (name !== 'express') expect(metricSum(series, 'cqrs_busy_workers', { runtime: name }), 'cqrs_busy_workers').to.equal(0);
        // The scrape itself is the one request in flight.
        expect(metricSum(series, 'cqrs_http_requests_in_flight', { runtime: name }), 'cqrs_http_requests_in_flight').to.be.at.most(1);
        const { code, ms } = await terminate(runtime);
        expect(code).to.equal(0);
        expect(ms, 'ms to stop: nothing was left to wait for (the deadline is 8000 ms)').to.be.below(3_000);
        const rows = await app.knex('products').where('name', 'like', 'aborted%').count({ n: '*' }).first();
        expect(Number(rows?.n), 'nothing written by an aborted upload').to.equal(0);
      });

      it('a handler still running after the deadline: exit 1, and the log says how many', async () => {
        let log: string;
        ({ runtime, log } = await start(name));
        const pending = call(runtime.url, 'GET', '/debug/sleep/6000').catch(() => undefined);
        await new Promise((resolve) => setTimeout(resolve, 200));
        const { code, ms } = await terminate(runtime);
        await pending;
        expect(code).to.equal(1);
        expect(ms).to.be.below(DEADLINE_MS + 1_500);
        expect(readFileSync(log, 'utf8')).to.include(`${name}: 1 request handler(s) still running after the ${DEADLINE_MS} ms shutdown deadline`);
      });

      it('a port another process listens on: exit 1 with one line saying so, no stack', async () => {
        const holder: Server = createServer();
        const port = await freePort();
        await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
        try {
          const { code, output } = await runDirectly(name, port);
          expect(code).to.equal(1);
          const lines = output.trim().split('\n').filter((l) => l.trim() !== '');
          const said = lines.filter((l) => l.includes(`${name}: port ${port} on 127.0.0.1 is already in use (another process listens there); set ${PORT_VARIABLES[name]} to a free port`));
          expect(said, output).to.have.length(1);
          expect(output, 'no stack trace').not.to.match(/\n\s+at |"stack"/);
          expect(output).not.to.include('TypeError');
        } finally {
          await new Promise((resolve) => holder.close(resolve));
        }
      });
    });
  }

  it('uws: a second uws on the port of a running uws is refused (no SO_REUSEPORT sharing)', async () => {
    const { runtime } = await start('uws');
    try {
      const port = Number(new URL(runtime.url).port);
      const { code, output } = await runDirectly('uws', port);
      expect(code).to.equal(1);
      expect(output).to.include(`uws: port ${port} on 127.0.0.1 is already in use`);
      expect((await call(runtime.url, 'GET', '/en/products/db/1')).status, 'the first uws still serves').to.equal(200);
    } finally {
      expect(await runtime.stop()).to.equal(0);
    }
  });
});

/** Runs a runtime's script in the foreground and collects its output until it exits (or 20 s). */
function runDirectly(name: RuntimeName, port: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runtimeScript(name)], {
      env: { ...process.env, ...TEST_ENV, HOST: '127.0.0.1', [PORT_VARIABLES[name]]: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} still running on a taken port after 20 s: ${output}`));
    }, 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

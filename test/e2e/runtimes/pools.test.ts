import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { connect } from 'node:net';
import type { Application } from '../../../core/app.js';
import type { LaunchedRuntime, RuntimeName } from '../../../runtimes/launcher.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { call, metricSum, parseMetrics, startRuntime } from '../../support/runtimes.js';

async function metrics(base: string): Promise<Map<string, number>> {
  return parseMetrics(await (await fetch(`${base}/metrics`)).text());
}

/** A GET on a connection of its own (no keep-alive), so the kernel may hand it to any uws worker. */
function getOnNewConnection(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function childPids(parent: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(parent)], { encoding: 'utf8' }).trim().split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('pooled runtimes', function () {
  this.timeout(60_000);
  let app: Application;
  let runtime: LaunchedRuntime | undefined;

  before(async () => {
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
  });
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });

  /** Two slow requests in flight (queued, for a one-child fork), then SIGTERM: both answered, exit code 0. */
  async function expectGracefulStop(name: RuntimeName, env: Record<string, string>): Promise<void> {
    runtime = await startRuntime(name, env);
    const pending = [call(runtime.url, 'GET', '/debug/sleep/300'), call(runtime.url, 'GET', '/debug/sleep/300')];
    await new Promise((resolve) => setTimeout(resolve, 100));
    const code = runtime.stop();
    expect((await Promise.all(pending)).map((a) => a.status)).to.deep.equal([200, 200]);
    expect(await code).to.equal(0);
    runtime = undefined;
  }
  after(async () => {
    await app.close();
  });

  /** Clients that left half-way through sending a body, then SIGTERM: nothing to wait for, exit 0 at once. */
  async function expectStopAfterAbortedUploads(name: RuntimeName, env: Record<string, string>): Promise<void> {
    runtime = await startRuntime(name, env);
    const { port } = new URL(runtime.url);
    for (let i = 0; i < 4; i++) {
      const socket = connect(Number(port), '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write('POST /en/products HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name": "cut');
      await new Promise((resolve) => setTimeout(resolve, 50));
      socket.destroy();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    expect(await runtime.stop()).to.equal(0);
    expect(Date.now() - started, 'ms to stop').to.be.below(5_000);
    runtime = undefined;
    const after = await app.knex('products').where('name', 'like', 'cut%').count({ n: '*' }).first();
    expect(Number(after?.n), 'nothing written by a cut upload').to.equal(0);
  }

  describe('fork (PHP-FPM model)', () => {
    it('with FORK_WORKERS=2, never more than 2 requests in flight; the rest queue and are all answered', async () => {
      runtime = await startRuntime('fork', { FORK_WORKERS: '2' });
      const slow = Array.from({ length: 7 }, () => call(runtime!.url, 'GET', '/debug/sleep/300'));
      // While they run, the queue shows on /metrics.
      await new Promise((resolve) => setTimeout(resolve, 150));
      const during = await metrics(runtime.url);
      expect(metricSum(during, 'cqrs_busy_workers', { runtime: 'fork' })).to.equal(2);
      expect(metricSum(during, 'cqrs_queue_length', { runtime: 'fork' })).to.equal(5);
      const answers = await Promise.all(slow);
      expect(answers.map((a) => a.status)).to.deep.equal(Array(7).fill(200));
      const spans = answers.map((a) => a.json as { pid: number; started: number; finished: number });
      expect(new Set(spans.map((s) => s.pid)).size).to.equal(2);
      let maxOverlap = 0;
      for (const s of spans) {
        const overlap = spans.filter((o) => o.started <= s.started && s.started < o.finished).length;
        maxOverlap = Math.max(maxOverlap, overlap);
      }
      expect(maxOverlap).to.equal(2);
      const after = await metrics(runtime.url);
      expect(metricSum(after, 'cqrs_max_queue_length', { runtime: 'fork' })).to.equal(5);
      expect(metricSum(after, 'cqrs_max_workers_reached_total', { runtime: 'fork' })).to.be.at.least(5);
      expect(metricSum(after, 'cqrs_queue_length', { runtime: 'fork' })).to.equal(0);
    });

    it('FORK_QUEUE_CAPACITY: a queue at exactly its capacity still takes requests; one more is refused 503 at once', async () => {
      runtime = await startRuntime('fork', { FORK_WORKERS: '1', FORK_QUEUE_CAPACITY: '2' });
      // one in flight on the only child, then two queued: the queue is at its capacity, both accepted
      const accepted = [call(runtime.url, 'GET', '/debug/sleep/600')];
      await new Promise((resolve) => setTimeout(resolve, 100));
      accepted.push(call(runtime.url, 'GET', '/debug/sleep/1'), call(runtime.url, 'GET', '/debug/sleep/1'));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const during = await metrics(runtime.url);
      expect(metricSum(during, 'cqrs_busy_workers', { runtime: 'fork' })).to.equal(1);
      expect(metricSum(during, 'cqrs_queue_length', { runtime: 'fork' })).to.equal(2);
      expect(metricSum(during, 'cqrs_queue_capacity', { runtime: 'fork' })).to.equal(2);
      const started = Date.now();
      const refused = await call(runtime.url, 'GET', '/en/products/db/1');
      expect(Date.now() - started, 'refused without waiting for a child').to.be.below(300);
      expect(refused.status).to.equal(503);
      expect(refused.json).to.deep.equal({ error: 'Every worker is busy and the queue is full (2 requests)', code: 'SERVICE_UNAVAILABLE' });
      expect((await Promise.all(accepted)).map((a) => a.status)).to.deep.equal([200, 200, 200]);
      // the queue drained: served again
      expect((await call(runtime.url, 'GET', '/en/products/db/1')).status).to.equal(200);
      const after = await metrics(runtime.url);
      expect(metricSum(after, 'cqrs_http_requests_total', { runtime: 'fork', status: '503' })).to.equal(1);
      expect(metricSum(after, 'cqrs_max_queue_length', { runtime: 'fork' })).to.equal(2);
    });

    it('a child that dies mid-request is answered 502 and replaced; a killed child too; the runtime keeps serving', async () => {
      runtime = await startRuntime('fork', { FORK_WORKERS: '2' });
      const crash = await call(runtime.url, 'GET', '/debug/crash');
      expect(crash.status).to.equal(502);
      expect(crash.json.code).to.equal('WORKER_DIED');
      const [victim] = childPids(runtime.process.pid!);
      expect(victim).to.be.a('number');
      process.kill(victim!, 'SIGKILL');
      // The master learns of the death when the child's exit is reported; then it has replaced it.
      let crashes = 0;
      for (let i = 0; i < 40 && crashes < 2; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        crashes = metricSum(await metrics(runtime.url), 'cqrs_worker_crashes_total', { runtime: 'fork' });
      }
      expect(crashes).to.equal(2);
      for (let i = 0; i < 20; i++) {
        expect((await call(runtime.url, 'GET', '/en/products/db/1')).status).to.equal(200);
      }
      const after = await metrics(runtime.url);
      expect(metricSum(after, 'cqrs_total_workers', { runtime: 'fork' })).to.equal(2);
      expect(childPids(runtime.process.pid!)).to.have.length(2);
    });

    it('FORK_MAX_REQUESTS recycles children (counted as restarts, not crashes)', async () => {
      runtime = await startRuntime('fork', { FORK_WORKERS: '1', FORK_MAX_REQUESTS: '3' });
      const pids = new Set<number>();
      for (let i = 0; i < 7; i++) {
        const answer = await call(runtime.url, 'GET', '/debug/sleep/1');
        expect(answer.status).to.equal(200);
        pids.add(answer.json.pid);
      }
      expect(pids.size).to.equal(3);
      const after = await metrics(runtime.url);
      expect(metricSum(after, 'cqrs_worker_restarts_total', { runtime: 'fork' })).to.equal(2);
      expect(metricSum(after, 'cqrs_worker_crashes_total', { runtime: 'fork' })).to.equal(0);
    });

    it('a request longer than FORK_REQUEST_TIMEOUT_MS is answered 504 and its child replaced', async () => {
      // The limit covers a request's whole stay in its child, per-request bootstrap included: the first request of
      // a fresh child (new application, MySQL connection, code not yet optimised) takes 100-150 ms on an idle machine
      // here and more on a busy one, so a 200 ms limit timed out the follow-up now and then. 3 s leaves it room.
      runtime = await startRuntime('fork', { FORK_WORKERS: '1', FORK_REQUEST_TIMEOUT_MS: '3000' });
      const first = await call(runtime.url, 'GET', '/debug/sleep/1');
      const slow = await call(runtime.url, 'GET', '/debug/sleep/10000');
      expect(slow.status).to.equal(504);
      expect(slow.json).to.deep.equal({ error: 'The request took longer than 3000 ms; its worker was stopped', code: 'WORKER_TIMEOUT' });
      expect((await call(runtime.url, 'GET', '/en/customers/db/1')).status).to.equal(200);
      // Served by another child: the one that overran is gone, one child is left.
      const next = await call(runtime.url, 'GET', '/debug/sleep/1');
      expect(next.json.pid).to.be.a('number').and.not.equal(first.json.pid);
      expect(childPids(runtime.process.pid!)).to.deep.equal([next.json.pid]);
      const after = await metrics(runtime.url);
      expect(metricSum(after, 'cqrs_total_workers', { runtime: 'fork' })).to.equal(1);
      expect(metricSum(after, 'cqrs_worker_crashes_total', { runtime: 'fork' }) + metricSum(after, 'cqrs_worker_restarts_total', { runtime: 'fork' }), 'replaced once')
        .to.equal(1);
    });

    it('FORK_PERSISTENT=1 serves the same answers with connections kept between requests', async () => {
      runtime = await startRuntime('fork', { FORK_WORKERS: '2', FORK_PERSISTENT: '1' });
      for (const path of ['/en/orders/db/1', '/en/orders/projection/1']) {
        const answer = await call(runtime.url, 'GET', path);
        expect(answer.status).to.equal(200);
        expect(answer.json.order).to.deep.equal(await app.reads.order.db.get(1));
      }
    });

    it('SIGTERM lets the queued and in-flight requests finish before exiting', () => expectGracefulStop('fork', { FORK_WORKERS: '1' }));
    it('SIGTERM after clients left mid-upload: nothing is waited for, exit 0 at once', () => expectStopAfterAbortedUploads('fork', { FORK_WORKERS: '1' }));
  });

  describe('uws (FrankenPHP worker mode)', () => {
    for (const workers of [1, 2, 4]) {
      it(`UWS_WORKERS=${workers} gives ${workers} workers, and all of them serve requests`, async () => {
        runtime = await startRuntime('uws', { UWS_WORKERS: String(workers) });
        const statuses = await Promise.all(Array.from({ length: 80 }, () => getOnNewConnection(`${runtime!.url}/en/products/projection/1`)));
        expect(statuses.every((s) => s === 200)).to.equal(true);
        const series = await metrics(runtime.url);
        expect(metricSum(series, 'cqrs_total_workers', { runtime: 'uws' })).to.equal(workers);
        for (let w = 1; w <= workers; w++) {
          expect(metricSum(series, 'cqrs_worker_requests_total', { runtime: 'uws', worker: `worker-${w}` }), `worker-${w}`).to.be.greaterThan(0);
        }
        expect(Number.isNaN(metricSum(series, 'cqrs_worker_requests_total', { worker: `worker-${workers + 1}` }))).to.equal(true);
      });
    }

    it('SIGTERM lets in-flight requests finish before exiting', () => expectGracefulStop('uws', { UWS_WORKERS: '2' }));
    it('SIGTERM after clients left mid-upload: nothing is waited for, exit 0 at once', () => expectStopAfterAbortedUploads('uws', { UWS_WORKERS: '2' }));
  });

  describe('express (FrankenPHP classic)', () => {
    it('SIGTERM lets in-flight requests finish before exiting', () => expectGracefulStop('express', {}));
    it('SIGTERM after clients left mid-upload: nothing is waited for, exit 0 at once', () => expectStopAfterAbortedUploads('express', {}));
  });
});

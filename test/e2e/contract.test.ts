import { expect } from 'chai';
import type { Application } from '../../core/app.js';
import { RUNTIME_NAMES, type LaunchedRuntime, type RuntimeName } from '../../runtimes/launcher.js';
import { createTestApp, resetData, seedSmall } from '../support/fixtures.js';
import { call, metricSum, parseMetrics } from '../support/runtimes.js';
import { startRuntime } from '../support/runtimes.js';

// One contract, run against each of the three runtimes started as real processes on real ports.

const ENTITIES = [['products', 'product'], ['customers', 'customer'], ['orders', 'order']] as const;

/** Every read route of the design, with a seeded id. */
function readPaths(): string[] {
  const paths = ['/en', '/en/', '/healthz'];
  for (const [plural] of ENTITIES) {
    paths.push(`/en/${plural}/db`, `/en/${plural}/db/2`, `/en/${plural}/projection`, `/en/${plural}/projection/2`,
      `/en/${plural}`, `/en/${plural}/2`, `/en/${plural}/db?limit=5&offset=3`, `/en/${plural}/projection?limit=5&after=4`,
      `/en/${plural}/projection?limit=all`);
  }
  return paths;
}

/** Requests every runtime must refuse, with the status each deserves. */
const BAD_REQUESTS: ReadonlyArray<[title: string, method: string, path: string, body: unknown, headers: Record<string, string>, status: number, field?: string]> = [
  ['unknown product id (db)', 'GET', '/en/products/db/999999', undefined, {}, 404],
  ['unknown order id (projection)', 'GET', '/en/orders/projection/999999', undefined, {}, 404],
  ['unknown route', 'GET', '/en/invoices', undefined, {}, 404],
  ['unknown locale', 'GET', '/xx/products', undefined, {}, 404],
  ['delete of an unknown customer', 'DELETE', '/en/customers/999999', undefined, {}, 404],
  ['PUT on customers (no update there)', 'PUT', '/en/customers/1', { name: 'x' }, {}, 405],
  ['POST on a read path', 'POST', '/en/products/db', { name: 'x' }, {}, 405],
  ['id that is not a number', 'GET', '/en/products/db/abc', undefined, {}, 400, 'id'],
  ['limit above the maximum', 'GET', '/en/products/projection?limit=100000', undefined, {}, 400, 'limit'],
  ['unknown query parameter', 'GET', '/en/customers/db?page=2', undefined, {}, 400, 'page'],
  ['malformed JSON', 'POST', '/en/products', '{"name": "x", ', { 'content-type': 'application/json' }, 400, 'body'],
  ['wrong-typed price', 'POST', '/en/products', { name: 'x', price: true }, {}, 400, 'price'],
  ['missing fields', 'POST', '/en/customers', { city: 'Glasgow' }, {}, 400, 'name'],
  ['unknown field', 'POST', '/en/products', { name: 'x', price: '1.00', colour: 'red' }, {}, 400, 'colour'],
  ['out-of-range quantity', 'POST', '/en/orders', { customer_id: 1, items: [{ product_id: 1, quantity: 0 }] }, {}, 400, 'items[0].quantity'],
  ['order for an unknown customer', 'POST', '/en/orders', { customer_id: 999999, items: [{ product_id: 1, quantity: 1 }] }, {}, 400, 'customer_id'],
  ['body too large', 'POST', '/en/products', JSON.stringify({ name: 'x', price: '1.00', description: 'y'.repeat(70_000) }), { 'content-type': 'application/json' }, 413, 'body'],
  ['unsupported content type', 'POST', '/en/products', '<product/>', { 'content-type': 'application/xml' }, 415, 'content-type'],
];

/** Series the design names, each of which must be present and non-zero after traffic. */
const REQUIRED_SERIES: ReadonlyArray<[name: string, pooledOnly: boolean]> = [
  ['cqrs_http_request_duration_seconds_count', false],
  ['cqrs_http_requests_total', false],
  ['cqrs_mysql_query_duration_seconds_count', false],
  ['cqrs_redis_command_duration_seconds_count', false],
  ['cqrs_event_loop_utilization', false],
  ['cqrs_projector_events_applied_total', false],
  ['cqrs_total_workers', true],
  ['cqrs_idle_workers', true],
  ['cqrs_worker_requests_total', true],
];
const PRESENT_SERIES = ['cqrs_event_loop_lag_seconds', 'cqrs_projector_inline_failures_total', 'cqrs_http_requests_in_flight', 'cqrs_projector_lag_events', 'cqrs_busy_workers', 'cqrs_queue_length',
  'cqrs_max_queue_length', 'cqrs_worker_crashes_total', 'cqrs_worker_restarts_total', 'cqrs_max_workers_reached_total'];

describe('runtimes: one contract, three server models', function () {
  this.timeout(60_000);
  let app: Application;
  const runtimes = new Map<RuntimeName, LaunchedRuntime>();
  const url = (name: RuntimeName) => runtimes.get(name)!.url;

  before(async function () {
    this.timeout(120_000);
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
    for (const name of RUNTIME_NAMES) runtimes.set(name, await startRuntime(name));
  });
  after(async () => {
    await Promise.all([...runtimes.values()].map((r) => r.stop()));
    await app.close();
  });

  describe('the same request gives byte-identical JSON on all three', () => {
    for (const path of readPaths()) {
      it(`GET ${path}`, async () => {
        const answers = await Promise.all(RUNTIME_NAMES.map((name) => call(url(name), 'GET', path)));
        for (const [i, answer] of answers.entries()) {
          expect(answer.status, `${RUNTIME_NAMES[i]} status`).to.equal(200);
          expect(answer.headers.get('content-type')).to.equal('application/json; charset=utf-8');
          expect(answer.text, `${RUNTIME_NAMES[i]} body`).to.equal(answers[0]!.text);
        }
      });
    }

    for (const [title, method, path, body, headers, status] of BAD_REQUESTS) {
      it(`${title}: ${status}, same body`, async () => {
        const answers = await Promise.all(RUNTIME_NAMES.map((name) => call(url(name), method, path, body, headers)));
        for (const [i, answer] of answers.entries()) {
          expect(answer.status, `${RUNTIME_NAMES[i]}: ${answer.text}`).to.equal(status);
          expect(answer.text, `${RUNTIME_NAMES[i]} body`).to.equal(answers[0]!.text);
        }
      });
    }
  });

  for (const name of RUNTIME_NAMES) {
    describe(name, () => {
      it('answers every list and get with the wire shape of the original demo', async () => {
        for (const [plural, singular] of ENTITIES) {
          for (const path of [`/en/${plural}/db`, `/en/${plural}/projection`, `/en/${plural}`]) {
            const { status, json } = await call(url(name), 'GET', path);
            expect(status, path).to.equal(200);
            expect(json[plural], path).to.be.an('array').with.length.greaterThan(0);
            expect(json.total, path).to.be.a('number');
          }
          for (const path of [`/en/${plural}/db/1`, `/en/${plural}/projection/1`, `/en/${plural}/1`]) {
            const { status, json } = await call(url(name), 'GET', path);
            expect(status, path).to.equal(200);
            expect(json[singular].id, path).to.equal(1);
          }
        }
      });

      it('refuses bad input with a JSON error naming the field, and no stack trace', async () => {
        for (const [title, method, path, body, headers, status, field] of BAD_REQUESTS) {
          const answer = await call(url(name), method, path, body, headers);
          expect(answer.status, title).to.equal(status);
          expect(answer.json.error, title).to.be.a('string');
          expect(answer.text, title).to.not.match(/\n\s+at |node_modules|\.js:\d+/);
          if (field) expect(answer.json.fields.map((f: { field: string }) => f.field), title).to.include(field);
          if (status === 405) expect(answer.headers.get('allow'), title).to.match(/GET/);
        }
      });

      it('runs every command: create (JSON and form), update, delete', async () => {
        const form = await call(url(name), 'POST', '/en/products', `name=Form+${name}&description=From+a+form&price=99.99`, { 'content-type': 'application/x-www-form-urlencoded' });
        expect(form.status).to.equal(201);
        expect(form.json.product).to.include({ name: `Form ${name}`, price: '99.99' });
        const id = form.json.product.id;
        const put = await call(url(name), 'PUT', `/en/products/${id}`, 'name=Updated&price=10.5', { 'content-type': 'application/x-www-form-urlencoded' });
        expect(put.status).to.equal(200);
        expect(put.json.product).to.include({ id, name: 'Updated', price: '10.50' });
        const customer = await call(url(name), 'POST', '/en/customers', { name: `C ${name}`, email: `c.${name}@example.com`, created_at: 1764000000 });
        expect(customer.status).to.equal(201);
        // The Postman collection posts its order as JSON with a form content type.
        const order = await call(url(name), 'POST', '/en/orders', JSON.stringify({ customer_id: customer.json.customer.id, items: [{ product_id: id, quantity: 2 }] }),
          { 'content-type': 'application/x-www-form-urlencoded' });
        expect(order.status).to.equal(201);
        expect(order.json.order.items[0]).to.include({ product_id: id, name: 'Updated', quantity: 2, total: '21.00' });
        for (const path of [`/en/orders/${order.json.order.id}`, `/en/customers/${customer.json.customer.id}`, `/en/products/${id}`]) {
          const deleted = await call(url(name), 'DELETE', path);
          expect(deleted.status, path).to.equal(200);
          expect((await call(url(name), 'GET', path)).status, path).to.equal(404);
        }
      });

      it('a write through it is visible through the projection routes of every runtime', async () => {
        const created = await call(url(name), 'POST', '/en/products', { name: `Visible from ${name}`, price: '1.23' });
        expect(created.status).to.equal(201);
        for (const other of RUNTIME_NAMES) {
          const read = await call(url(other), 'GET', `/en/products/projection/${created.json.product.id}`);
          expect(read.status, other).to.equal(200);
          expect(read.json.product, other).to.deep.equal(created.json.product);
        }
      });

      it('/metrics exposes every series of the design, with non-zero values after traffic', async () => {
        for (let i = 0; i < 5; i++) {
          await call(url(name), 'GET', '/en/products/db/1');
          await call(url(name), 'GET', '/en/products/projection/1');
        }
        const answer = await fetch(`${url(name)}/metrics`);
        expect(answer.status).to.equal(200);
        expect(answer.headers.get('content-type')).to.match(/^text\/plain/);
        const series = parseMetrics(await answer.text());
        const pooled = name !== 'express';
        for (const [metric, pooledOnly] of REQUIRED_SERIES) {
          if (pooledOnly && !pooled) continue;
          expect(metricSum(series, metric, { runtime: name }), metric).to.be.greaterThan(0);
        }
        for (const metric of PRESENT_SERIES) {
          if (!pooled && /worker|queue/.test(metric)) continue;
          expect(Number.isNaN(metricSum(series, metric, { runtime: name })), `${metric} present`).to.equal(false);
        }
        for (const source of ['db', 'redis']) {
          expect(metricSum(series, 'cqrs_http_requests_total', { runtime: name, source, status: '200' }), `requests from ${source}`).to.be.greaterThan(0);
        }
        // Writes of the tests before this one move the outbox ahead; the projector's next tick (100 ms) catches up.
        let lag = metricSum(series, 'cqrs_projector_lag_events', { runtime: name });
        for (let i = 0; i < 30 && lag !== 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          lag = metricSum(parseMetrics(await (await fetch(`${url(name)}/metrics`)).text()), 'cqrs_projector_lag_events', { runtime: name });
        }
        expect(lag).to.equal(0);
      });
    });
  }
});

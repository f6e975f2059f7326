import { expect } from 'chai';
import { request } from 'node:http';
import type { Application } from '../../../core/app.js';
import { Tables } from '../../../core/db/tables.js';
import type { EntityQueries } from '../../../core/model/EntityQueries.js';
import { RUNTIME_NAMES, type LaunchedRuntime, type RuntimeName } from '../../../runtimes/launcher.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { call, metricSum, parseMetrics } from '../../support/runtimes.js';
import { startRuntime } from '../../support/runtimes.js';

// One contract, run against each of the three runtimes started as real processes on real ports.

const ENTITIES = [['products', 'product'], ['customers', 'customer'], ['orders', 'order']] as const;

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const MONEY = /^\d+\.\d{2}$/;
type FieldKind = 'id' | 'string' | 'money' | 'time' | 'count' | 'items';
/** Every field of each entity on the wire, in order, with its kind. */
const SHAPES: Readonly<Record<'product' | 'customer' | 'order' | 'item', ReadonlyArray<[string, FieldKind]>>> = {
  product: [['id', 'id'], ['name', 'string'], ['description', 'string'], ['price', 'money'], ['created_at', 'time']],
  customer: [['id', 'id'], ['name', 'string'], ['email', 'string'], ['address', 'string'], ['city', 'string'], ['postal_code', 'string'],
    ['country', 'string'], ['created_at', 'time']],
  order: [['id', 'id'], ['customer_id', 'id'], ['customer_name', 'string'], ['customer_email', 'string'], ['order_number', 'string'],
    ['total_amount', 'money'], ['status', 'string'], ['items', 'items'], ['created_at', 'time'], ['updated_at', 'time']],
  item: [['product_id', 'id'], ['name', 'string'], ['quantity', 'count'], ['price', 'money'], ['total', 'money']],
};

function expectShape(kind: keyof typeof SHAPES, value: Record<string, unknown>, where: string): void {
  expect(Object.keys(value), where).to.deep.equal(SHAPES[kind].map(([field]) => field));
  for (const [field, fieldKind] of SHAPES[kind]) {
    const v = value[field];
    const at = `${where}: ${field}`;
    if (fieldKind === 'id' || fieldKind === 'count') expect(Number.isInteger(v) && (v as number) >= 1, `${at} = ${String(v)}`).to.equal(true);
    else if (fieldKind === 'string') expect(v, at).to.be.a('string');
    else if (fieldKind === 'money') expect(v, at).to.be.a('string').and.match(MONEY);
    else if (fieldKind === 'time') expect(v, at).to.be.a('string').and.match(ISO_UTC);
    else {
      expect(v, at).to.be.an('array').that.is.not.empty;
      for (const item of v as Array<Record<string, unknown>>) expectShape('item', item, at);
    }
  }
}

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
  // JSON numbers are read as written (JSON.parse makes 2 of 1.999999999999999999 and 1 of 1.0000000000000001).
  ['a price of 18 decimals as a JSON number', 'POST', '/en/products', '{"name":"x","price":1.999999999999999999}', { 'content-type': 'application/json' }, 400, 'price'],
  ['a customer id of 1.0000000000000001 as a JSON number', 'POST', '/en/orders', '{"customer_id":1.0000000000000001,"items":[{"product_id":1,"quantity":1}]}',
    { 'content-type': 'application/json' }, 400, 'customer_id'],
  ['a quantity of 2.0000000000000001 as a JSON number', 'POST', '/en/orders', '{"customer_id":1,"items":[{"product_id":1,"quantity":2.0000000000000001}]}',
    { 'content-type': 'application/json' }, 400, 'items[0].quantity'],
];

/** Series the design names, each of which must be present and non-zero after traffic. */
const REQUIRED_SERIES: ReadonlyArray<[name: string, pooledOnly: boolean]> = [
  ['cqrs_http_request_duration_seconds_count', false],
  ['cqrs_http_requests_total', false],
  ['cqrs_mysql_query_duration_seconds_count', false],
  ['cqrs_redis_command_duration_seconds_count', false],
  ['cqrs_event_loop_utilization', false],
  ['cqrs_projector_events_applied_total', false],
  ['cqrs_projection_lag_seconds_count', false],
  ['cqrs_total_workers', true],
  ['cqrs_idle_workers', true],
  ['cqrs_worker_requests_total', true],
];
const PRESENT_SERIES = ['cqrs_event_loop_lag_seconds', 'cqrs_projector_inline_failures_total', 'cqrs_http_requests_in_flight', 'cqrs_projector_lag_events', 'cqrs_busy_workers', 'cqrs_queue_length',
  'cqrs_max_queue_length', 'cqrs_worker_crashes_total', 'cqrs_worker_restarts_total', 'cqrs_max_workers_reached_total'];

/** Every process or thread of a runtime (FORK_WORKERS=2, UWS_WORKERS=2), as its metrics label it. */
const EXPECTED_WORKERS: Readonly<Record<RuntimeName, readonly string[]>> = {
  fork: ['master', 'child-1', 'child-2'],
  express: ['0'],
  uws: ['main', 'worker-1', 'worker-2'],
};
/** The workers that serve requests. */
const POOL_WORKERS: Readonly<Record<RuntimeName, readonly string[]>> = { fork: ['child-1', 'child-2'], express: [], uws: ['worker-1', 'worker-2'] };

/** A GET on a connection of its own (no keep-alive), so the kernel may hand it to any uws worker. */
function getOnNewConnection(target: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(target, { agent: false, headers: { connection: 'close' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('runtimes: one contract, three server models', function () {
  this.timeout(60_000);
  let app: Application;
  const runtimes = new Map<RuntimeName, LaunchedRuntime>();
  const url = (name: RuntimeName) => runtimes.get(name)!.url;
  /** Ids of the live entities, from MySQL directly, in list order. */
  const liveIds = async (type: 'product' | 'customer' | 'order'): Promise<number[]> => {
    const query = app.knex({ product: Tables.products, customer: Tables.customers, order: Tables.orders }[type]).select('id').orderBy('id');
    if (type !== 'order') query.whereNull('deleted_at');
    return (await query).map((r: { id: number }) => r.id);
  };

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
      it('answers every list and get with the wire shape of the original demo: exact keys, types and MySQL content', async () => {
        for (const [plural, singular] of ENTITIES) {
          const live = await liveIds(singular);
          for (const path of [`/en/${plural}/db`, `/en/${plural}/projection`, `/en/${plural}`]) {
            const { status, json } = await call(url(name), 'GET', path);
            expect(status, path).to.equal(200);
            expect(Object.keys(json), path).to.deep.equal([plural, 'total', 'limit', 'offset', 'next_after']);
            expect(json.total, path).to.equal(live.length);
            expect(json.limit, path).to.equal(50);
            expect(json.offset, path).to.equal(0);
            const items = json[plural] as Array<Record<string, unknown>>;
            expect(items.map((i) => i.id), path).to.deep.equal(live.slice(0, 50));
            expect(json.next_after, path).to.equal(live.length >= 50 ? live[49] : null);
            for (const item of items) expectShape(singular, item, `${path} item ${String(item.id)}`);
            const fromMysql = await (app.reads[singular].db as EntityQueries<{ id: number }>).list({ kind: 'offset', offset: 0, limit: 50 });
            expect(items, path).to.deep.equal(JSON.parse(JSON.stringify(fromMysql.items)));
          }
          for (const path of [`/en/${plural}/db/1`, `/en/${plural}/projection/1`, `/en/${plural}/1`]) {
            const { status, json } = await call(url(name), 'GET', path);
            expect(status, path).to.equal(200);
            expect(Object.keys(json), path).to.deep.equal([singular]);
            expectShape(singular, json[singular], path);
            expect(json[singular], path).to.deep.equal(JSON.parse(JSON.stringify(await app.reads[singular].db.get(1))));
          }
        }
      });

      it('pages by offset 0, 1 and the last page, and by cursor, with limit 1 and the largest limit', async () => {
        for (const [plural, singular] of ENTITIES) {
          const live = await liveIds(singular);
          for (const source of ['db', 'projection']) {
            const page = async (query: string) => {
              const { status, json } = await call(url(name), 'GET', `/en/${plural}/${source}?${query}`);
              expect(status, query).to.equal(200);
              expect(json.total, query).to.equal(live.length);
              return json;
            };
            expect((await page('limit=3&offset=0'))[plural].map((i: { id: number }) => i.id)).to.deep.equal(live.slice(0, 3));
            const second = await page('limit=3&offset=1');
            expect(second[plural].map((i: { id: number }) => i.id)).to.deep.equal(live.slice(1, 4));
            expect(second).to.deep.include({ limit: 3, offset: 1, next_after: live[3] });
            const last = await page(`limit=3&offset=${live.length - 2}`);
            expect(last[plural].map((i: { id: number }) => i.id)).to.deep.equal(live.slice(-2));
            expect(last.next_after).to.equal(null);
            const one = await page('limit=1');
            expect(one[plural].map((i: { id: number }) => i.id)).to.deep.equal([live[0]]);
            const max = await page('limit=500');
            expect(max[plural].map((i: { id: number }) => i.id)).to.deep.equal(live.slice(0, 500));
            const cursor = await page(`limit=2&after=${live[0]}`);
            expect(Object.keys(cursor)).to.deep.equal([plural, 'total', 'limit', 'after', 'next_after']);
            expect(cursor[plural].map((i: { id: number }) => i.id)).to.deep.equal(live.slice(1, 3));
            const tooMany = await call(url(name), 'GET', `/en/${plural}/${source}?limit=501`);
            expect(tooMany.status).to.equal(400);
            expect(tooMany.json.fields.map((f: { field: string }) => f.field)).to.deep.equal(['limit']);
          }
        }
      });

      it('a real internal error (a MySQL failure that is not an outage) is a 500 with a generic body: no driver message, no stack', async () => {
        // A trigger refuses one product name; a renamed column breaks the MySQL read of customers.
        await app.knex.raw('DROP TRIGGER IF EXISTS test_internal_error');
        await app.knex.raw(`CREATE TRIGGER test_internal_error BEFORE INSERT ON products FOR EACH ROW
          BEGIN IF NEW.name = 'Internal failure' THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'secret detail from the database'; END IF; END`);
        await app.knex.raw('ALTER TABLE customers CHANGE COLUMN city city_hidden VARCHAR(100) NOT NULL');
        try {
          const write = await call(url(name), 'POST', '/en/products', { name: 'Internal failure', price: '1.00' });
          const read = await call(url(name), 'GET', '/en/customers/db/1');
          for (const [what, answer] of [['write', write], ['read', read]] as const) {
            expect(answer.status, `${what}: ${answer.text}`).to.equal(500);
            expect(answer.headers.get('content-type'), what).to.equal('application/json; charset=utf-8');
            expect(answer.text, what).to.equal('{"error":"Internal error","code":"INTERNAL"}');
          }
        } finally {
          await app.knex.raw('ALTER TABLE customers CHANGE COLUMN city_hidden city VARCHAR(100) NOT NULL');
          await app.knex.raw('DROP TRIGGER IF EXISTS test_internal_error');
        }
        expect((await call(url(name), 'GET', '/en/customers/db/1')).status).to.equal(200);
        expect(await app.knex(Tables.products).where({ name: 'Internal failure' })).to.have.length(0);
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

      it('bounds every error answer, whatever the request repeats: 20 fields then a count, quoted text clipped', async () => {
        const first20 = (prefix: string) => Array.from({ length: 20 }, (_, i) => `${prefix}${i}`);
        // 5,000 unknown fields in a 49 KB body (the issue's: a 288 KB answer).
        const body = JSON.stringify({ name: `Bounded ${name}`, price: '1.00', ...Object.fromEntries(Array.from({ length: 5_000 }, (_, i) => [`k${i}`, 1])) });
        const fields = await call(url(name), 'POST', '/en/products', body, { 'content-type': 'application/json' });
        expect(fields.status, fields.text.slice(0, 200)).to.equal(400);
        expect(fields.text.length, 'bytes').to.be.below(2_048);
        expect(fields.json.fields.map((f: { field: string }) => f.field)).to.deep.equal(first20('k'));
        expect(fields.json.more).to.equal(4_980);
        expect(fields.json.error).to.equal(`Invalid field(s): ${first20('k').join(', ')} and 4980 more`);
        expect(await app.knex(Tables.products).where({ name: `Bounded ${name}` })).to.have.length(0);
        // 1,500 unknown query parameters (an 11 KB URL), and 7,000 (55 KB: over node's 16 KiB of headers, a 431 on
        // fork and express; uws reads it, the 888 KB answer).
        for (const count of [1_500, 7_000]) {
          const query = Array.from({ length: count }, (_, i) => `q${i}=1`).join('&');
          const answer = await call(url(name), 'GET', `/en/customers/db?${query}`);
          expect(answer.text.length, `${count} parameters: bytes`).to.be.below(2_048);
          if (count === 7_000 && name !== 'uws') {
            expect(answer.status).to.equal(431);
            continue;
          }
          expect(answer.status, `${count} parameters`).to.equal(400);
          expect(answer.json.fields.map((f: { field: string }) => f.field)).to.deep.equal(first20('q'));
          expect(answer.json.more).to.equal(count - 20);
        }
        // A 12,000-character path, its start quoted in the 404; an unknown field name of 30,000 characters.
        const path = await call(url(name), 'GET', `/en/${'p'.repeat(12_000)}`);
        expect(path.status).to.equal(404);
        expect(path.json.error).to.equal(`No route for GET /en/${'p'.repeat(96)}…`);
        const long = await call(url(name), 'POST', '/en/products', { name: 'x', price: '1.00', ['f'.repeat(30_000)]: 1 });
        expect(long.status).to.equal(400);
        expect(long.json.fields).to.deep.equal([{ field: `${'f'.repeat(100)}…`, message: 'is not a known field' }]);
        expect(long.text.length, 'bytes').to.be.below(512);
      });

      it('reads a JSON number as written: the same answer as the same digits in a string, for every number field', async () => {
        const json = { 'content-type': 'application/json' };
        const before = await app.knex(Tables.events).count({ n: '*' }).first();
        const cases: ReadonlyArray<[path: string, body: (value: string) => string, field: string, digits: readonly string[]]> = [
          ['/en/products', (v) => `{"name":"Read as written","price":${v}}`, 'price', ['1.999999999999999999', '1.005', '1e2', '-0']],
          ['/en/products', (v) => `{"name":"Read as written","price":"1.00","created_at":${v}}`, 'created_at', ['1764000000.0000001', '1.764e9']],
          ['/en/orders', (v) => `{"customer_id":${v},"items":[{"product_id":1,"quantity":1}]}`, 'customer_id', ['1.0000000000000001', '1.0', '1e0']],
          ['/en/orders', (v) => `{"customer_id":1,"items":[{"product_id":${v},"quantity":1}]}`, 'items[0].product_id', ['1.0000000000000001', '1E0']],
          ['/en/orders', (v) => `{"customer_id":1,"items":[{"product_id":1,"quantity":${v}}]}`, 'items[0].quantity', ['2.0000000000000001', '2.0', '2e0']],
        ];
        for (const [path, body, field, digits] of cases) {
          for (const value of digits) {
            const asNumber = await call(url(name), 'POST', path, body(value), json);
            const asString = await call(url(name), 'POST', path, body(JSON.stringify(value)), json);
            expect(asNumber.status, `${field} ${value}: ${asNumber.text}`).to.equal(400);
            expect(asNumber.json.fields.map((f: { field: string }) => f.field), `${field} ${value}`).to.deep.equal([field]);
            expect(asNumber.text, `${field} ${value}: as a number and as a string`).to.equal(asString.text);
          }
        }
        expect(await app.knex(Tables.events).count({ n: '*' }).first(), 'nothing written').to.deep.equal(before);
        // Digits that mean what a double holds are taken as written: 12.5 and 12.50 are 12.50, 3 is 3.
        const taken = await call(url(name), 'POST', '/en/products', `{"name":"Read as written ${name}","price":12.50}`, json);
        expect(taken.status).to.equal(201);
        expect(taken.json.product.price).to.equal('12.50');
        const order = await call(url(name), 'POST', '/en/orders', `{"customer_id":1,"items":[{"product_id":${taken.json.product.id},"quantity":3}]}`, json);
        expect(order.status).to.equal(201);
        expect(order.json.order.items[0]).to.include({ quantity: 3, total: '37.50' });
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

      it('/metrics exposes every series of the design, with non-zero values after traffic, from every worker', async () => {
        for (let i = 0; i < 5; i++) {
          await call(url(name), 'GET', '/en/products/db/1');
          await call(url(name), 'GET', '/en/products/projection/1');
        }
        // Requests that reach every worker: concurrent ones (fork gives each child one at a time), on new
        // connections (the kernel spreads those over uws's threads).
        for (let round = 0; round < 10; round++) {
          const statuses = await Promise.all(Array.from({ length: 8 }, () => getOnNewConnection(`${url(name)}/debug/sleep/20`)));
          expect(statuses).to.deep.equal(Array(8).fill(200));
          const seen = parseMetrics(await (await fetch(`${url(name)}/metrics`)).text());
          if (POOL_WORKERS[name].every((w) => metricSum(seen, 'cqrs_worker_requests_total', { runtime: name, worker: w }) > 0)) break;
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
        if (pooled) expect(metricSum(series, 'cqrs_total_workers', { runtime: name }), 'total workers').to.equal(POOL_WORKERS[name].length);
        else expect(metricSum(series, 'cqrs_total_workers', { runtime: name }), 'express has no pool').to.be.NaN;
        for (const worker of POOL_WORKERS[name]) {
          expect(metricSum(series, 'cqrs_worker_requests_total', { runtime: name, worker }), `requests of ${worker}`).to.be.greaterThan(0);
        }
        for (const metric of PRESENT_SERIES) {
          if (!pooled && /worker|queue/.test(metric)) continue;
          expect(Number.isNaN(metricSum(series, metric, { runtime: name })), `${metric} present`).to.equal(false);
        }
        for (const source of ['db', 'redis']) {
          expect(metricSum(series, 'cqrs_http_requests_total', { runtime: name, source, status: '200' }), `requests from ${source}`).to.be.greaterThan(0);
        }
        // Every process or thread of the runtime is in the aggregate: one missing worker must show.
        const workersOf = (metric: string) => new Set([...series.keys()].filter((k) => k.startsWith(`${metric}{`)).map((k) => /worker="([^"]*)"/.exec(k)?.[1]));
        expect([...workersOf('cqrs_event_loop_utilization')].sort(), 'workers reporting utilisation').to.deep.equal([...EXPECTED_WORKERS[name]].sort());
        expect([...workersOf('nodejs_heap_size_used_bytes')].sort(), 'workers reporting their heap').to.deep.equal([...EXPECTED_WORKERS[name]].sort());
        for (const worker of EXPECTED_WORKERS[name]) {
          expect(metricSum(series, 'nodejs_heap_size_used_bytes', { runtime: name, worker }), `${worker} heap`).to.be.greaterThan(0);
          expect(metricSum(series, 'cqrs_event_loop_utilization', { runtime: name, worker }), `${worker} utilisation`).to.be.within(0, 1);
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

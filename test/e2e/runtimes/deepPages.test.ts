import { expect } from 'chai';
import type { Application } from '../../../core/app.js';
import { Tables } from '../../../core/db/tables.js';
import { RUNTIME_NAMES, type LaunchedRuntime } from '../../../runtimes/launcher.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { call, metricSum, parseMetrics, startRuntime, type Answer } from '../../support/runtimes.js';

// A request cannot pin the database: with a table where a deep OFFSET costs far more than the statement time
// limit, deep pages are cut by the server and answered with a JSON error, while the first pages and the
// projections go on answering; the connection of a cut statement serves the next request; and an offset past
// DB_MAX_OFFSET is refused before it reaches MySQL.

const SEEDED = 30;
const BULK = 1_000_000;
const TOTAL = SEEDED + BULK;
const TIMEOUT_MS = 25;
const MAX_OFFSET = 1_000_000;
const DEEP_OFFSET = TOTAL - 80;
const DEEP = `/en/products/db?limit=50&offset=${DEEP_OFFSET}`;
// One MySQL connection per process (per worker thread on uws): a statement that held it would hold every db route.
const ENV = { MYSQL_STATEMENT_TIMEOUT_MS: String(TIMEOUT_MS), DB_MAX_OFFSET: String(MAX_OFFSET), MYSQL_POOL_MAX: '1' };

const idsOf = (answer: Answer, list: string): number[] => (answer.json[list] as Array<{ id: number }>).map((item) => item.id);
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/** A deep page either served whole or cut with the QUERY_TIMEOUT error: never anything else. */
function expectDeepAnswer(answer: Answer): 'served' | 'cut' {
  if (answer.status === 200) {
    expect(idsOf(answer, 'products')).to.deep.equal(range(DEEP_OFFSET + 1, 50));
    return 'served';
  }
  expectCut(answer);
  return 'cut';
}

function expectCut(answer: Answer): void {
  expect(answer.status, answer.text.slice(0, 200)).to.equal(503);
  expect(answer.headers.get('content-type')).to.match(/^application\/json/);
  expect(answer.json.code).to.equal('QUERY_TIMEOUT');
  expect(answer.json.error).to.include(`longer than ${TIMEOUT_MS} ms`).and.include('after=');
}

async function runningDeepStatements(app: Application): Promise<number> {
  const [rows] = (await app.knex.raw(
    'SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE COMMAND = ? AND INFO LIKE ? AND ID <> CONNECTION_ID()',
    ['Query', `%offset ${DEEP_OFFSET}%`],
  )) as [Array<{ n: number }>];
  return Number(rows[0]!.n);
}

describe('deep pages: a request cannot pin the database (statement time limit, DB_MAX_OFFSET)', function () {
  this.timeout(180_000);
  let app: Application;

  before(async () => {
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app, { products: SEEDED, customers: 10, orders: 20, itemsPerOrder: 2, seed: 3 });
    // Rows in bulk, straight into the write model (no events: the projections keep the seeded 30).
    await app.knex.raw(
      `INSERT INTO ${Tables.products} (name, description, price_cents, created_at, updated_at) ` +
        `SELECT CONCAT('Bulk product ', seq), '', 100, '2025-01-01 00:00:00', '2025-01-01 00:00:00' FROM seq_1_to_${BULK}`,
    );
    await app.knex(Tables.aggregateCounts).where({ aggregate_type: 'product', slot: 0 }).increment('live_count', BULK);
  });
  after(async () => {
    await resetData(app);
    await app.close();
  });

  for (const name of RUNTIME_NAMES) {
    describe(name, () => {
      let runtime: LaunchedRuntime;

      before(async () => {
        runtime = await startRuntime(name, ENV);
      });
      after(async () => {
        await runtime?.stop();
      });

      it('under a burst of deep-offset reads, each cut with the JSON error or served, first db pages and projection reads answer 200', async () => {
        const deep: Promise<Answer>[] = [];
        const first: Promise<Answer>[] = [];
        const projection: Promise<Answer>[] = [];
        for (let i = 0; i < 12; i++) {
          deep.push(call(runtime.url, 'GET', DEEP));
          first.push(call(runtime.url, 'GET', '/en/products/db?limit=50'));
          projection.push(call(runtime.url, 'GET', '/en/products/projection?limit=20'));
        }
        const outcomes = (await Promise.all(deep)).map(expectDeepAnswer);
        for (const answer of await Promise.all(first)) {
          expect(answer.status, answer.text).to.equal(200);
          expect(idsOf(answer, 'products')).to.deep.equal(range(1, 50));
          expect(answer.json.total).to.equal(TOTAL);
        }
        for (const answer of await Promise.all(projection)) {
          expect(answer.status, answer.text).to.equal(200);
          expect(idsOf(answer, 'products')).to.deep.equal(range(1, 20));
        }
        expect(outcomes, 'the time limit cut deep pages').to.include('cut');
        expect(await runningDeepStatements(app), 'statements left running on the server').to.equal(0);
      });

      it('a deep read cut by the time limit answers QUERY_TIMEOUT; its connection then serves the next requests and the pool is idle', async () => {
        expectCut(await call(runtime.url, 'GET', DEEP));
        expect(await runningDeepStatements(app), 'statements left running on the server').to.equal(0);
        // more requests than workers: each worker's one connection, the cut one among them, answers
        for (let i = 0; i < 6; i++) {
          const next = await call(runtime.url, 'GET', `/en/products/db?limit=5&offset=${i}`);
          expect(next.status, next.text).to.equal(200);
          expect(idsOf(next, 'products')).to.deep.equal(range(i + 1, 5));
          expect((await call(runtime.url, 'GET', `/en/products/db/${i + 1}`)).status).to.equal(200);
        }
        const health = await call(runtime.url, 'GET', '/healthz');
        expect(health.json.mysql).to.equal('up');
        const series = parseMetrics((await call(runtime.url, 'GET', '/metrics')).text);
        expect(metricSum(series, 'cqrs_http_requests_in_flight', { runtime: name }), 'in flight besides the scrape').to.be.at.most(1);
        if (name !== 'express') {
          expect(metricSum(series, 'cqrs_busy_workers', { runtime: name }), 'busy workers').to.equal(0);
          expect(metricSum(series, 'cqrs_idle_workers', { runtime: name })).to.equal(metricSum(series, 'cqrs_total_workers', { runtime: name }));
        }
      });

      it('an offset past DB_MAX_OFFSET is a 400 on offset pointing at the cursor, on every db list; the projections and the cursor serve that depth', async () => {
        for (const plural of ['products', 'customers', 'orders']) {
          const refused = await call(runtime.url, 'GET', `/en/${plural}/db?limit=5&offset=${MAX_OFFSET + 1}`);
          expect(refused.status, refused.text).to.equal(400);
          expect(refused.json.code).to.equal('VALIDATION_FAILED');
          expect(refused.json.fields).to.have.length(1);
          expect(refused.json.fields[0].field).to.equal('offset');
          expect(refused.json.fields[0].message).to.equal(`must be at most ${MAX_OFFSET} on the database routes; page deeper with after=<the last id of the previous page>`);
          const projection = await call(runtime.url, 'GET', `/en/${plural}/projection?limit=5&offset=${MAX_OFFSET + 1}`);
          expect(projection.status, projection.text).to.equal(200);
          expect(projection.json[plural]).to.deep.equal([]);
        }
        const cursor = await call(runtime.url, 'GET', `/en/products/db?limit=5&after=${TOTAL - 3}`);
        expect(cursor.status, cursor.text).to.equal(200);
        expect(idsOf(cursor, 'products')).to.deep.equal(range(TOTAL - 2, 3));
        const atBound = await call(runtime.url, 'GET', `/en/customers/db?limit=5&offset=${MAX_OFFSET}`);
        expect(atBound.status, atBound.text).to.equal(200);
      });
    });
  }
});

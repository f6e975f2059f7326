import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort, launchRuntime, type LaunchedRuntime } from '../../../runtimes/launcher.js';
import { selectDriver, type Driver } from '../../../bench/drivers/index.js';
import { measureCell } from '../../../bench/measure.js';
import { cellId, type CellPlan } from '../../../bench/plan.js';
import { fetchIds } from '../../../bench/preflight.js';
import type { BenchResults, Cell, Operation } from '../../../bench/results.js';
import { floorScript } from '../../../bench/run.js';
import { loadScenarios, type Scenarios } from '../../../bench/scenarios.js';
import type { Application } from '../../../core/app.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { startRuntime } from '../../support/runtimes.js';

const RUN_SCRIPT = fileURLToPath(new URL('../../../cli/bench.js', import.meta.url));
const SMALL = { SEED_PRODUCTS: '30', SEED_CUSTOMERS: '10', SEED_ORDERS: '40', SEED_ITEMS_PER_ORDER: '3', SEED: '7' };
const TIMING = { durationSec: 2, warmupSec: 0, repeats: 1 };

function plan(group: 'writes' | 'mixed', entity: CellPlan['entity'], operation: Operation, connections: number): CellPlan {
  const fields = { group, runtime: 'express' as const, entity, source: group === 'mixed' ? 'redis' as const : 'db' as const, operation, workers: 1, readMode: 'default' as const, listQuery: '', connections };
  return { id: cellId(fields), ...fields };
}

/** Answered 2xx: what the load generator counted, less its non-2xx (errors and timeouts are not answers). */
function answered(cell: Cell): number {
  return cell.runs.reduce((sum, run) => sum + run.requests - run.non2xx, 0);
}

// One short write cell, the mixed cell and failing cells against a real runtime, with both drivers: the counts the
// bench reports are what MySQL holds afterwards.
describe('write and mixed cells, end to end (bench/measure.ts, bench/writes.ts)', function () {
  this.timeout(120_000);
  let app: Application;
  let runtime: LaunchedRuntime;
  let scenarios: Scenarios;
  let ids: Map<string, readonly number[]>;
  const count = async (sql: string) => Number(((await app.knex.raw(sql)) as [{ n: number }[]])[0][0]!.n);

  before(async function () {
    this.timeout(120_000);
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
    scenarios = loadScenarios();
    runtime = await startRuntime('express');
    ids = new Map(await Promise.all(scenarios.entities.map(async (e) => [e, await fetchIds(runtime.url, e)] as const)));
  });
  after(async () => {
    await runtime?.stop();
    await app?.close();
  });

  const target = (driver: Driver, url = runtime.url, pid = runtime.process.pid!) => ({ driver, url, pid, ids });

  for (const name of ['wrk', 'autocannon'] as const) {
    describe(`with ${name}`, () => {
      const driver = () => selectDriver({ LOAD_DRIVER: name });

      it('a products create cell: rows, outbox events and idempotency keys created = 2xx answers (+ at most one in flight per connection)', async () => {
        // The three counts in one statement (one read view): a command still in flight when the load stopped commits
        // its row, event and key together, before or after it, never between two of them.
        const counts = async () => ((await app.knex.raw(`SELECT (SELECT COUNT(*) FROM products) AS \`rows\`,
          (SELECT COUNT(*) FROM events WHERE event_type = 'ProductCreated') AS events, (SELECT COUNT(*) FROM idempotency_keys) AS \`keys\``)) as [Array<{ rows: number; events: number; keys: number }>])[0][0]!;
        const before = await counts();
        const cell = await measureCell(plan('writes', 'products', 'create', 4), scenarios, TIMING, target(driver()));
        const after = await counts();
        const created = Number(after.rows) - Number(before.rows);
        expect(cell.summary.errors + cell.summary.non2xx, JSON.stringify(cell.summary)).to.equal(0);
        expect(answered(cell)).to.be.greaterThan(0);
        expect(created).to.be.within(answered(cell), answered(cell) + 4);
        expect(Number(after.events) - Number(before.events)).to.equal(created);
        expect(Number(after.keys) - Number(before.keys), 'a key per command').to.equal(created);
      });

      it('a products delete cell deletes rows its setup created, each once: no 404, the seeded products untouched', async () => {
        const seeded = await count('SELECT COUNT(*) AS n FROM products WHERE id <= 30 AND deleted_at IS NULL');
        const deletedBefore = await count('SELECT COUNT(*) AS n FROM products WHERE deleted_at IS NOT NULL');
        const cell = await measureCell(plan('writes', 'products', 'delete', 4), scenarios, TIMING, target(driver()));
        expect(cell.summary.errors + cell.summary.non2xx, JSON.stringify(cell.summary)).to.equal(0);
        const deleted = await count('SELECT COUNT(*) AS n FROM products WHERE deleted_at IS NOT NULL') - deletedBefore;
        expect(deleted).to.be.within(answered(cell), answered(cell) + 4);
        expect(await count('SELECT COUNT(*) AS n FROM products WHERE id <= 30 AND deleted_at IS NULL')).to.equal(seeded);
      });

      it('an orders create cell: orders of 1 to 5 lines on seeded customers and products', async () => {
        const last = await count('SELECT COALESCE(MAX(id), 0) AS n FROM orders');
        const cell = await measureCell(plan('writes', 'orders', 'create', 2), scenarios, TIMING, target(driver()));
        expect(cell.summary.errors + cell.summary.non2xx).to.equal(0);
        const lines = ((await app.knex.raw('SELECT order_id, COUNT(*) AS n FROM order_items WHERE order_id > ? GROUP BY order_id', [last])) as [{ n: number }[]])[0].map((r) => Number(r.n));
        expect(lines.length).to.be.within(answered(cell), answered(cell) + 2);
        expect(Math.min(...lines)).to.be.at.least(1);
        expect(Math.max(...lines)).to.be.at.most(5);
      });

      it('the mixed cell: one command in ten reached MySQL, the reads answered 200', async () => {
        const rows = 'SELECT (SELECT COUNT(*) FROM products) + (SELECT COUNT(*) FROM customers) + (SELECT COUNT(*) FROM orders) AS n';
        const before = await count(rows);
        const cell = await measureCell(plan('mixed', 'products', 'mixed', 8), scenarios, TIMING, target(driver()));
        expect(cell.summary.errors + cell.summary.non2xx, JSON.stringify(cell.summary)).to.equal(0);
        const created = await count(rows) - before;
        expect(created).to.be.greaterThan(0);
        expect(Math.abs(created - answered(cell) / 10)).to.be.at.most(8 + 1);
      });

      it('bad bodies are counted as failures, and nothing is written', async () => {
        const broken = structuredClone(scenarios) as { -readonly [K in keyof Scenarios]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
        broken.writes.commands.products.create.body = { ...broken.writes.commands.products.create.body, price: 'free' };
        const before = await count('SELECT COUNT(*) AS n FROM products');
        const cell = await measureCell(plan('writes', 'products', 'create', 2), broken as Scenarios, TIMING, target(driver()));
        expect(cell.summary.non2xx).to.be.greaterThan(0);
        // Every answer a failure (autocannon may count the last answers' status and not the requests: one per connection).
        expect(cell.summary.non2xx).to.be.within(cell.runs[0]!.requests, cell.runs[0]!.requests + 2);
        expect(await count('SELECT COUNT(*) AS n FROM products')).to.equal(before);
      });

      it('a cell against a stopped runtime counts errors and answers nothing', async () => {
        const stopped = await startRuntime('express');
        const { url, process: child } = stopped;
        await stopped.stop();
        const cell = await measureCell(plan('writes', 'customers', 'create', 2), scenarios, TIMING, target(driver(), url, child.pid!));
        expect(cell.summary.errors).to.be.greaterThan(0);
        expect(answered(cell)).to.equal(0);
      });
    });
  }

  it('the write floor answers a create as the runtime does (201, the product), writing the row, the live count and the event', async () => {
    const port = await findFreePort();
    const floor = await launchRuntime({ name: 'express', port, script: floorScript('write'), env: { FLOOR_PORT: String(port) }, logFile: process.env.RUNTIME_LOG ?? '/dev/null' });
    try {
      const body = JSON.stringify({ name: 'floor product', description: 'd', price: '12.50' });
      const live = await count("SELECT SUM(live_count) AS n FROM aggregate_counts WHERE aggregate_type = 'product'");
      const [fromFloor, fromRuntime] = await Promise.all([floor.url, runtime.url].map((url) => fetch(`${url}/en/products`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })));
      expect(fromFloor!.status).to.equal(201);
      const [a, b] = [await fromFloor!.json() as { product: Record<string, unknown> }, await fromRuntime!.json() as { product: Record<string, unknown> }];
      expect(Object.keys(a.product)).to.deep.equal(Object.keys(b.product));
      expect({ ...a.product, id: 0, created_at: '' }).to.deep.equal({ ...b.product, id: 0, created_at: '' });
      expect(await count(`SELECT COUNT(*) AS n FROM events WHERE aggregate_id = ${Number(a.product.id)} AND event_type = 'ProductCreated'`)).to.equal(1);
      expect(await count("SELECT SUM(live_count) AS n FROM aggregate_counts WHERE aggregate_type = 'product'")).to.equal(live + 2);
      expect((await fetch(`${floor.url}/en/products`, { method: 'POST', body: '{"name":"x","price":"free"}' })).status).to.equal(400);
    } finally {
      await floor.stop();
    }
  });
});

// The bench itself: write cells in turns with the write floor, the read model verified after each, the data set restored.
describe('make bench-quick with write cells, end to end', function () {
  this.timeout(300_000);
  let app: Application;
  let out = '';
  let run = { code: null as number | null, output: '' };

  before(async function () {
    this.timeout(300_000);
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
    out = mkdtempSync(join(tmpdir(), 'cqrs-bench-writes-'));
    run = await new Promise((resolve) => {
      const child = spawn(process.execPath, [RUN_SCRIPT, '--quick', '--runtimes', 'express', '--only', 'products/create@c16', '--duration', '1', '--out', out, '--report', join(out, 'RESULTS.md')],
        { env: { ...process.env, ...SMALL }, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.on('data', (d) => { output += d; });
      child.stderr.on('data', (d) => { output += d; });
      child.on('exit', (code) => resolve({ code, output }));
    });
  });
  after(async () => {
    await app?.close();
  });

  it('measures the runtime\'s create and the write floor\'s in turns, checks the read model after the write cell, then restores the data set', async () => {
    expect(run.code, run.output).to.equal(0);
    const results = JSON.parse(readFileSync(join(out, 'quick.json'), 'utf8')) as BenchResults;
    expect(results.cells.map((c) => c.id)).to.deep.equal(['express/products/create@c16', 'floor:write[express]/products/create@c16']);
    for (const cell of results.cells) expect(cell.summary.rps.median, cell.id).to.be.greaterThan(0);
    expect(results.readModelChecks).to.have.length(1);
    expect(results.readModelChecks![0]).to.include({ after: 'express/products/create@c16', exitCode: 0, mismatches: 0 });
    expect(results.readModelChecks![0]!.ids).to.be.greaterThan(80);
    expect(results.restoredExitCode).to.equal(0);
    expect(run.output).to.match(/read model after express\/products\/create@c16: clean/);
    expect(await app.knex('products').count({ n: '*' }).first()).to.deep.equal({ n: 30 });
    const report = readFileSync(join(out, 'quick.DETAILS.md'), 'utf8');
    expect(report).to.include('## Writes').and.include('| express | products | create | 16 |').and.include('clean every time');
  });
});

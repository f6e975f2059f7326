import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import newman from 'newman';
import type { Application } from '../../../core/app.js';
import { COLLECTION_FOLDERS, COLLECTION_PATH, runCollection } from '../../support/postman.js';
import { RUNTIME_NAMES, type LaunchedRuntime, type RuntimeName } from '../../../runtimes/launcher.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { startRuntime } from '../../support/runtimes.js';

// The original demo's Postman collection, unchanged but for base_url, under newman, against each runtime:
// every request answered 2xx, with the body the original's shape calls for. Each folder runs on freshly seeded
// data, because the collection deletes product 1 and customer 1 in one folder and orders them in the next (it
// was written to be clicked through a request at a time, and no sane API creates an order for a deleted customer).

interface Answered { name: string; status: number | undefined; body: any } // eslint-disable-line @typescript-eslint/no-explicit-any

/** One folder under newman, keeping each response's body (runCollection keeps statuses only). */
function runFolderWithBodies(baseUrl: string, folder: string): Promise<Answered[]> {
  const collection = JSON.parse(readFileSync(COLLECTION_PATH, 'utf8'));
  return new Promise((resolve, reject) => {
    newman.run({ collection, envVar: [{ key: 'base_url', value: baseUrl }], folder, reporters: [], timeoutRequest: 30_000 }, (err, summary) => {
      if (err) {
        reject(err);
        return;
      }
      resolve(summary.run.executions.map((e) => {
        const text = e.response?.stream?.toString('utf8') ?? '';
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = text;
        }
        return { name: e.item.name, status: e.response?.code, body };
      }));
    });
  });
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const json = (value: unknown) => JSON.parse(JSON.stringify(value));

describe('the original Postman collection under newman', function () {
  this.timeout(120_000);
  let app: Application;
  const runtimes = new Map<RuntimeName, LaunchedRuntime>();

  before(async function () {
    this.timeout(120_000);
    app = await createTestApp();
    // No projector loop: each folder replaces the data set under the running runtimes, and a catch-up that read the
    // previous outbox before the replacement could apply its events over the new rebuild (a harness race: the
    // commands' own inline projection is what the collection reads).
    for (const name of RUNTIME_NAMES) runtimes.set(name, await startRuntime(name, { PROJECTOR: '0' }));
  });
  after(async () => {
    await Promise.all([...runtimes.values()].map((r) => r.stop()));
    await app.close();
  });

  for (const name of RUNTIME_NAMES) {
    it(`${name}: every request of every folder answers 2xx`, async () => {
      const seen: string[] = [];
      for (const folder of COLLECTION_FOLDERS) {
        await resetData(app);
        await seedSmall(app);
        const results = await runCollection(runtimes.get(name)!.url, folder);
        expect(results.length, folder).to.be.greaterThan(0);
        for (const r of results) {
          expect(r.error, `${r.method} ${r.url}`).to.equal(undefined);
          expect(r.status, `${r.method} ${r.url}`).to.be.within(200, 299);
          seen.push(r.name);
        }
      }
      expect(seen).to.have.length(14);
    });

    it(`${name}: every response has the original's shape and the data it should`, async () => {
      const base = runtimes.get(name)!.url;
      const answers = new Map<string, Answered>();
      const expected = new Map<string, { status: number; body: unknown }>();
      const entityLists = { Products: ['product', 'products'], Customers: ['customer', 'customers'], Orders: ['order', 'orders'] } as const;
      for (const folder of COLLECTION_FOLDERS) {
        await resetData(app);
        await seedSmall(app);
        if (folder !== 'System') {
          const [singular, plural] = entityLists[folder];
          const reads = app.reads[singular].db;
          const list = await reads.list({ kind: 'offset', offset: 0, limit: 50 });
          const listName = `List All ${folder}`;
          expected.set(listName, { status: 200, body: json({ [plural]: list.items, total: list.total, limit: 50, offset: 0, next_after: list.items.length === 50 ? list.items[49]!.id : null }) });
          expected.set(`Get ${folder.slice(0, -1)} by ID`, { status: 200, body: json({ [singular]: await reads.get(1) }) });
          expected.set(`Delete ${folder.slice(0, -1)}`, { status: 200, body: { message: `${singular} 1 deleted`, id: 1 } });
          if (folder === 'Products') {
            const product1 = await app.reads.product.db.get(1);
            expected.set('Update Product', { status: 200, body: { product: { ...json(product1), name: 'Update Product', description: 'This is a Update Product description', price: '99.99' } } });
          }
          if (folder === 'Orders') {
            const [p1, p5, c1] = [await app.reads.product.db.get(1), await app.reads.product.db.get(5), await app.reads.customer.db.get(1)];
            const cents = (price: string) => Math.round(Number(price) * 100);
            expected.set('Create Order', { status: 201, body: { order: {
              id: 41, customer_id: 1, customer_name: c1.name, customer_email: c1.email, order_number: 'ORD-001',
              total_amount: ((cents(p1.price) * 2 + cents(p5.price)) / 100).toFixed(2), status: 'pending',
              items: [
                { product_id: 1, name: p1.name, quantity: 2, price: p1.price, total: ((cents(p1.price) * 2) / 100).toFixed(2) },
                { product_id: 5, name: p5.name, quantity: 1, price: p5.price, total: p5.price },
              ],
              created_at: 'ISO', updated_at: 'ISO',
            } } });
          }
        }
        for (const answer of await runFolderWithBodies(base, folder)) answers.set(answer.name, answer);
      }
      expected.set('Create Product', { status: 201, body: { product: { id: 31, name: 'Sample Product', description: 'This is a sample product description', price: '99.99', created_at: 'ISO' } } });
      expected.set('Create Customer', { status: 201, body: { customer: { id: 11, name: 'John Doe', email: 'john.doe@example.com', address: '123 Main Street', city: 'Glasgow',
        postal_code: 'G1 1AA', country: 'United Kingdom', created_at: 'ISO' } } });
      expected.set('Health Check', { status: 200, body: { name: 'cqrs-node-bench', locale: 'en', entities: ['products', 'customers', 'orders'],
        sources: { db: 'MySQL write model', projection: 'Redis projections' } } });

      expect([...answers.keys()].sort()).to.deep.equal([...expected.keys()].sort());
      for (const [request, want] of expected) {
        const got = answers.get(request)!;
        expect(got.status, request).to.equal(want.status);
        // times set by the server: any ISO 8601 UTC instant, in the place the original has it
        const body = json(got.body);
        for (const entity of Object.values(body) as Array<Record<string, unknown>>) {
          for (const field of ['created_at', 'updated_at']) {
            if (entity && typeof entity === 'object' && (want.body as Record<string, Record<string, unknown>>)[Object.keys(body)[0]!]?.[field] === 'ISO') {
              expect(entity[field], `${request} ${field}`).to.match(ISO_UTC);
              entity[field] = 'ISO';
            }
          }
        }
        expect(body, request).to.deep.equal(want.body);
        // the original's key order
        expect(JSON.stringify(Object.keys(body)), request).to.equal(JSON.stringify(Object.keys(want.body as object)));
      }
    });
  }
});

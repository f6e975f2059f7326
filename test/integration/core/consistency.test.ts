import { expect } from 'chai';
import type { Application } from '../../../core/app.js';
import { Tables } from '../../../core/db/tables.js';
import { createRandom, type Random } from '../../../core/seed/random.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { actualReadModel, expectedReadModel } from '../../support/readModel.js';

interface Ids {
  products: number[];
  customers: number[];
  orders: number[];
}

async function liveIds(app: Application): Promise<Ids> {
  const ids = async (table: string, soft: boolean) =>
    (await (soft ? app.knex(table).whereNull('deleted_at') : app.knex(table)).pluck('id')) as number[];
  return { products: await ids(Tables.products, true), customers: await ids(Tables.customers, true), orders: await ids(Tables.orders, false) };
}

/** A random command, valid most of the time; ids are sometimes stale or unknown, as with real clients. */
function randomCommand(app: Application, random: Random, ids: Ids, n: number): () => Promise<unknown> {
  const someId = (list: number[]) => (list.length === 0 || random.next() < 0.1 ? 100_000 + n : random.pick(list));
  const roll = random.next();
  if (roll < 0.18) return () => app.commands.product.create({ name: `Random ${n}`, description: `d${n}`, price: `${random.int(0, 5000)}.${random.int(10, 99)}` });
  if (roll < 0.38) {
    const id = someId(ids.products);
    return () => app.commands.product.update(id, random.next() < 0.5 ? { name: `Renamed ${n}` } : { price: `${random.int(1, 900)}.00` });
  }
  if (roll < 0.46) return () => app.commands.product.delete(someId(ids.products));
  if (roll < 0.58) return () => app.commands.customer.create({ name: `Customer ${n}`, email: `c${n}@example.com`, city: 'Glasgow' });
  if (roll < 0.64) return () => app.commands.customer.delete(someId(ids.customers));
  if (roll < 0.9) {
    const items = Array.from({ length: random.int(1, 4) }, () => ({ product_id: someId(ids.products), quantity: random.int(1, 5) }));
    return () => app.commands.order.create({ customer_id: someId(ids.customers), items });
  }
  return () => app.commands.order.delete(someId(ids.orders));
}

async function runRandomCommands(app: Application, seed: number, count: number, concurrency: number): Promise<{ ok: number; rejected: number }> {
  const random = createRandom(seed);
  let ok = 0;
  let rejected = 0;
  for (let n = 0; n < count; n += concurrency) {
    const ids = await liveIds(app);
    const batch = Array.from({ length: Math.min(concurrency, count - n) }, (_, i) => randomCommand(app, random, ids, n + i));
    const results = await Promise.allSettled(batch.map((run) => run()));
    for (const r of results) {
      if (r.status === 'fulfilled') ok++;
      else if (['NOT_FOUND', 'VALIDATION_FAILED', 'CONFLICT'].includes((r.reason as { code?: string }).code ?? '')) rejected++;
      else throw r.reason;
    }
  }
  return { ok, rejected };
}

describe('consistency: projections equal the builders applied to MySQL, and a rebuild', () => {
  let app: Application;

  before(async () => {
    app = await createTestApp();
  });
  after(async () => {
    await app.close();
  });
  beforeEach(async () => {
    await resetData(app);
    await seedSmall(app);
  });

  for (const [title, seed, concurrency] of [['one at a time', 11, 1], ['eight at a time (races on the same ids)', 23, 8]] as const) {
    it(`after 300 random commands, ${title}`, async function () {
      this.timeout(120_000);
      const { ok, rejected } = await runRandomCommands(app, seed, 300, concurrency);
      expect(ok, 'commands that succeeded').to.be.greaterThan(150);
      expect(rejected, 'commands rejected as invalid or unknown').to.be.greaterThan(0);

      const expected = await expectedReadModel(app);
      expect(expected.orders.length).to.be.greaterThan(0);
      // Inline projection alone (no catch-up) already matches MySQL.
      expect(await actualReadModel(app)).to.deep.equal(expected);
      // The projector has nothing that changes it.
      await app.projector.catchUp();
      expect(await actualReadModel(app)).to.deep.equal(expected);
      // And a full rebuild gives the same.
      await app.rebuilder.rebuildAll();
      expect(await actualReadModel(app)).to.deep.equal(expected);
      // Totals agree too.
      for (const type of ['product', 'customer', 'order'] as const) {
        const [db, redis] = await Promise.all([
          app.reads[type].db.list({ kind: 'offset', offset: 0, limit: 1 }),
          app.reads[type].projection.list({ kind: 'offset', offset: 0, limit: 1 }),
        ]);
        expect(redis.total, `${type} total`).to.equal(db.total);
        expect(db.total, `${type} total`).to.equal(expected[`${type}s`].length);
      }
    });
  }
});

import { expect } from 'chai';
import type { Application } from '../../../core/app.js';
import { Tables } from '../../../core/db/tables.js';
import { verifyReadModel } from '../../../core/ReadModelVerifier.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';

// The verifier reads MySQL's ids 500 at a time by cursor: a mismatch past the first page, or past the second, must be
// found and named by its id, as one in the first is.

describe('verifyReadModel over more ids than one page (500)', function () {
  this.timeout(120_000);
  let app: Application;
  /** Live product ids in list order, with gaps (deleted products). */
  let live: number[];
  const dataKey = () => `${app.config.redisPrefix}products:data`;

  before(async () => {
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app, { products: 1_230, customers: 10, orders: 40, itemsPerOrder: 3, seed: 7 });
    // Gaps in the ids, before and inside each page: a cursor that counts rows instead of following ids skips some.
    for (const id of [3, 250, 499, 777, 1_001, 1_150]) await app.commands.product.delete(id);
    live = (await app.knex(Tables.products).whereNull('deleted_at').orderBy('id').select('id')).map((r: { id: number }) => r.id);
  });
  after(async () => {
    await app.close();
  });

  it('a read model equal to MySQL: every live id compared once, every page, no mismatch', async () => {
    expect(live).to.have.length(1_224);
    const { compared, mismatches } = await verifyReadModel(app);
    expect(mismatches).to.deep.equal([]);
    expect(compared.ids).to.equal(1_224 + 10 + 40);
    expect(compared.pages).to.equal(3 + 1 + 1);
  });

  it('one forged projection past row 500 and one past row 1,000: each named by its id, and its page', async () => {
    const [second, third] = [live[600]!, live[1_100]!];
    const originals = await app.redis.hmgetBuffer(dataKey(), String(second), String(third));
    const { codec } = app.repositories.product;
    try {
      for (const id of [second, third]) {
        await app.redis.hset(dataKey(), String(id), codec.encode({ ...(await app.reads.product.projection.get(id)), name: `Forged ${id}` }));
      }
      const { compared, mismatches } = await verifyReadModel(app);
      expect(mismatches.map((m) => `${m.entity} ${m.where}`)).to.deep.equal([
        `products id ${second}`, `products id ${third}`, 'products page offset=500 limit=500', 'products page offset=1000 limit=500',
      ]);
      expect(mismatches[0]!.projection).to.contain(`Forged ${second}`);
      expect(mismatches[1]!.projection).to.contain(`Forged ${third}`);
      expect(compared.ids).to.equal(1_224 + 10 + 40);
    } finally {
      await app.redis.hset(dataKey(), String(second), originals[0]!, String(third), originals[1]!);
    }
    expect((await verifyReadModel(app)).mismatches).to.deep.equal([]);
  });

  it('a projection missing past row 1,000 is named by its id', async () => {
    const id = live[1_200]!;
    const original = (await app.redis.hgetBuffer(dataKey(), String(id)))!;
    await app.redis.hdel(dataKey(), String(id));
    try {
      const { mismatches } = await verifyReadModel(app);
      const named = mismatches.find((m) => m.where === `id ${id}`);
      expect(named, mismatches.map((m) => m.where).join(', ')).to.include({ entity: 'products', projection: '(missing)' });
    } finally {
      await app.redis.hset(dataKey(), String(id), original);
    }
    expect((await verifyReadModel(app)).mismatches).to.deep.equal([]);
  });
});

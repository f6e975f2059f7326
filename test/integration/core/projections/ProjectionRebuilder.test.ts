import { expect } from 'chai';
import type { Application } from '../../../../core/app.js';
import { AGGREGATE_TYPES } from '../../../../core/model/catalogue.js';
import { createRandom } from '../../../../core/seed/random.js';
import { Seeder } from '../../../../core/seed/Seeder.js';
import { createTestApp, resetData } from '../../../support/fixtures.js';
import { actualReadModel, expectedReadModel } from '../../../support/readModel.js';

describe('rebuild', () => {
  let app: Application;

  before(async function () {
    this.timeout(120_000);
    app = await createTestApp({ rebuildBatchSize: 250 });
  });
  after(async () => {
    await app.close();
  });
  beforeEach(async () => {
    await resetData(app);
    await new Seeder(app.knex, 500).seed({ products: 3000, customers: 400, orders: 3000, itemsPerOrder: 3, seed: 5 });
  });

  it('from an empty read model, builds exactly what the builders make of MySQL', async () => {
    expect(await app.repositories.product.count()).to.equal(0);
    const results = await app.rebuilder.rebuildAll();
    expect(results.map((r) => [r.type, r.count])).to.deep.equal([['product', 3000], ['customer', 400], ['order', 3000]]);
    expect(await actualReadModel(app)).to.deep.equal(await expectedReadModel(app));
  });

  it('under concurrent reads never returns a missing or partial entity that exists in MySQL', async function () {
    this.timeout(120_000);
    await app.rebuilder.rebuildAll();
    const expected = await expectedReadModel(app);
    const random = createRandom(3);
    let reads = 0;
    const problems: string[] = [];
    let rebuilding = true;

    const reader = async () => {
      while (rebuilding) {
        const type = random.pick(AGGREGATE_TYPES);
        const list = expected[`${type}s`] as { id: number }[];
        if (random.next() < 0.5) {
          const wanted = random.pick(list);
          const got = await app.repositories[type].get(wanted.id);
          if (JSON.stringify(got) !== JSON.stringify(wanted)) problems.push(`${type} ${wanted.id}: got ${JSON.stringify(got)}`);
        } else {
          const offset = random.int(0, list.length - 50);
          const page = await app.repositories[type].page({ kind: 'offset', offset, limit: 50 });
          if (page.total !== list.length) problems.push(`${type} page at ${offset}: total ${page.total}, expected ${list.length}`);
          if (JSON.stringify(page.items) !== JSON.stringify(list.slice(offset, offset + 50))) problems.push(`${type} page at ${offset}: items differ (${page.items.length} items)`);
        }
        reads++;
      }
    };
    const readers = Array.from({ length: 4 }, reader);
    for (let round = 0; round < 3; round++) {
      for (const type of AGGREGATE_TYPES) await app.rebuilder.rebuild(type);
    }
    rebuilding = false;
    await Promise.all(readers);
    expect(problems.slice(0, 5)).to.deep.equal([]);
    expect(reads).to.be.greaterThan(100);
  });

  it('with commands running during the rebuild, ends equal to MySQL (events after the snapshot are replayed)', async function () {
    this.timeout(120_000);
    await app.rebuilder.rebuildAll();
    let writing = true;
    let writes = 0;
    const writer = async () => {
      for (let n = 0; writing; n++) {
        const product = await app.commands.product.create({ name: `During ${n}`, price: '1.00' });
        await app.commands.product.update(1 + (n % 50), { name: `Renamed during rebuild ${n}` });
        await app.commands.order.create({ customer_id: 1 + (n % 100), items: [{ product_id: product.id, quantity: 1 }] });
        await app.commands.order.delete(1 + n);
        writes += 4;
      }
    };
    const writing$ = writer();
    const results = await app.rebuilder.rebuildAll();
    writing = false;
    await writing$;
    expect(writes).to.be.greaterThan(0);
    expect(results.some((r) => r.snapshotPosition > 0)).to.equal(true);
    expect(await actualReadModel(app)).to.deep.equal(await expectedReadModel(app));
  });

  it('a second rebuild of the same projection while one runs is refused with CONFLICT', async () => {
    const first = app.rebuilder.rebuild('order');
    const second = app.rebuilder.rebuild('order').then(() => null, (err: { code?: string }) => err.code);
    expect(await second).to.equal('CONFLICT');
    expect((await first).count).to.equal(3000);
  });
});

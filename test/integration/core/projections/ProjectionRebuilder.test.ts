import { expect } from 'chai';
import type { Application } from '../../../../core/app.js';
import type { RebuildProgress } from '../../../../core/projections/ProjectionRebuilder.js';
import { AGGREGATE_TYPES } from '../../../../core/model/catalogue.js';
import { createRandom } from '../../../../core/seed/random.js';
import { Seeder } from '../../../../core/seed/Seeder.js';
import { createTestApp, resetData } from '../../../support/fixtures.js';
import { actualReadModel, expectedReadModel, redisDump } from '../../../support/readModel.js';
import { EventSequencer } from '../../../../core/events/EventSequencer.js';
import { EventStore } from '../../../../core/events/EventStore.js';
import { inTransaction } from '../../../../core/db/SqlTransaction.js';
import type { ProductRow } from '../../../../core/db/tables.js';
import { PRODUCT_COLUMNS, ProductProjectionBuilder } from '../../../../core/model/Product.js';
import { rebuildLeaseKey } from '../../../../core/projections/ProjectionKeys.js';
import { BATCH_READERS } from '../../../../core/queries/DbQueries.js';

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

  it('its keyset batches cover every row exactly once across batch boundaries (gaps from deletions, batch sizes that do not divide the count)', async function () {
    this.timeout(120_000);
    // Gaps at and around batch boundaries: deleted products, customers and orders (orders are deleted outright).
    for (const id of [1, 7, 8, 250, 251, 2999, 3000]) {
      await app.commands.product.delete(id);
      await app.commands.order.delete(id);
    }
    for (const id of [1, 7, 200, 400]) await app.commands.customer.delete(id);
    const expected = await expectedReadModel(app);
    for (const batchSize of [1, 7, 250, 2993]) {
      for (const type of AGGREGATE_TYPES) {
        const read: { id: number }[] = [];
        for (let afterId = 0; ;) {
          const batch: { id: number }[] = await BATCH_READERS[type](app.knex, afterId, batchSize);
          expect(batch.length, `${type} batch after ${afterId} of ${batchSize}`).to.be.at.most(batchSize);
          if (batch.length === 0) break;
          expect(batch[0]!.id, `${type}: the batch after ${afterId} (of ${batchSize}) starts past its cursor`).to.be.greaterThan(afterId);
          read.push(...batch);
          afterId = batch.at(-1)!.id;
        }
        // Each row once, in id order, whole (an order with all its items, however the batch ends).
        expect(read, `${type} in batches of ${batchSize}`).to.deep.equal(expected[`${type}s`]);
      }
    }
    // The rebuild itself, in batches of 7: every live row written once, nothing of the deleted ones.
    const rebuilder = await createTestApp({ rebuildBatchSize: 7 });
    try {
      const written: number[] = [];
      const results = await rebuilder.rebuilder.rebuildAll((p) => {
        if (p.stage === 'writing') written.push(p.done);
      });
      expect(results.map((r) => [r.type, r.count])).to.deep.equal([['product', 2993], ['customer', 396], ['order', 2993]]);
      expect(written.filter((done, i) => i > 0 && done !== 0 && done - written[i - 1]! > 7), 'no batch larger than 7').to.deep.equal([]);
      expect(await actualReadModel(app)).to.deep.equal(expected);
    } finally {
      await rebuilder.close();
    }
  });

  it('a second rebuild of the same projection while one runs is refused with CONFLICT', async () => {
    const first = app.rebuilder.rebuild('order');
    const second = app.rebuilder.rebuild('order').then(() => null, (err: { code?: string }) => err.code);
    expect(await second).to.equal('CONFLICT');
    expect((await first).count).to.equal(3000);
  });
});

describe('rebuild: the checkpoint, the replay after the swap and the lease', () => {
  let app: Application;

  before(async function () {
    this.timeout(120_000);
    app = await createTestApp({ rebuildBatchSize: 50 });
  });
  after(async () => {
    await app.close();
  });
  beforeEach(async () => {
    await resetData(app);
    await new Seeder(app.knex, 500).seed({ products: 300, customers: 40, orders: 300, itemsPerOrder: 3, seed: 9 });
  });

  /** A command whose inline projection failed: its row and its event committed, the projections left untouched. */
  async function unprojectedRename(id: number, name: string): Promise<number> {
    const event = await inTransaction(app.knex, async (trx) => {
      await trx.query('UPDATE products SET name = ? WHERE id = ?', [name, id]);
      const [row] = await trx.query<ProductRow[]>(`SELECT ${PRODUCT_COLUMNS.join(', ')} FROM products WHERE id = ?`, [id]);
      const product = ProductProjectionBuilder.fromRow(row!);
      const [appended] = await EventStore.append(trx, [{ type: 'ProductUpdated', aggregateType: 'product', aggregateId: id, payload: product }]);
      return appended!;
    });
    return (await new EventSequencer(app.knex).sequence()).get(event.id)!;
  }

  it('the checkpoint is the oldest snapshot: an event committed between two entities\' snapshots is still caught up', async () => {
    let position = 0;
    const results = await app.rebuilder.rebuildAll(async ({ type, stage }) => {
      if (type === 'product' && stage === 'swapped') position = await unprojectedRename(7, 'Renamed between snapshots');
    });
    const snapshots = Object.fromEntries(results.map((r) => [r.type, r.snapshotPosition]));
    expect(position, 'the event came after the products\' snapshot and before the orders\'').to.be.above(snapshots.product!).and.at.most(snapshots.order!);
    expect(await app.projector.checkpoint()).to.equal(Math.min(...results.map((r) => r.snapshotPosition)));
    await app.projector.catchUp();
    expect((await app.repositories.product.get(7))!.name).to.equal('Renamed between snapshots');
    expect(await actualReadModel(app)).to.deep.equal(await expectedReadModel(app));
  });

  it('an event projected inline to the old key set between the replay and the swap is replayed onto the new one', async () => {
    await app.rebuilder.rebuildAll();
    await app.rebuilder.rebuild('product', async ({ stage }) => {
      // A command commits and projects itself into the live set the swap is about to replace.
      if (stage === 'replayed') await app.commands.product.update(5, { name: 'Between replay and swap' });
    });
    expect((await app.repositories.product.get(5))!.name).to.equal('Between replay and swap');
    expect(await actualReadModel(app)).to.deep.equal(await expectedReadModel(app));
  });

  // When the lease is lost, and which entities were rebuilt and swapped in before (their projections are the same,
  // now at the snapshot's version).
  const stalls: ReadonlyArray<[when: string, at: (p: RebuildProgress) => boolean, swappedBefore: readonly string[]]> = [
    ['mid-way through writing its batches', (p) => p.type === 'order' && p.stage === 'writing' && p.done === 100, ['products:', 'customers:']],
    ['right before its swap', (p) => p.type === 'customer' && p.stage === 'replayed', ['products:']],
    ['after its last swap, before it records the identity and checkpoint', (p) => p.type === 'order' && p.stage === 'swapped', ['products:', 'customers:', 'orders:']],
  ];
  for (const [when, at, swappedBefore] of stalls) {
    it(`a rebuilder that lost its lease ${when} (stalled past it, another took over) swaps nothing in and records nothing: CONFLICT`, async () => {
      await app.rebuilder.rebuildAll();
      await app.commands.customer.create({ name: 'Live before the stalled rebuild', email: 'live@example.com', address: 'a', city: 'c', postal_code: '1', country: 'X' });
      const before = await redisDump(app);
      const lease = rebuildLeaseKey(app.config.redisPrefix);
      const failure = await app.rebuilder.rebuildAll(async (progress) => {
        // The lease is someone else's: what a stall past REBUILD_LEASE_MS leads to.
        if (at(progress)) await app.redis.set(lease, 'the-process-that-took-over', 'PX', 60_000);
      }).then(() => undefined, (err: { code?: string; message: string }) => err);
      expect(failure?.code).to.equal('CONFLICT');
      expect(failure?.message).to.match(/lost its lease/);
      expect(await app.redis.get(lease), 'the other holder keeps it').to.equal('the-process-that-took-over');
      await app.redis.del(lease);
      const after = await redisDump(app);
      const rebuiltBefore = (key: string) => swappedBefore.some((entity) => key.includes(entity));
      for (const key of Object.keys(after)) if (key.includes(':rebuild:') || rebuiltBefore(key)) delete after[key];
      for (const key of Object.keys(before)) if (rebuiltBefore(key)) delete before[key];
      expect(after, 'the entity being rebuilt, the identity and the checkpoint untouched').to.deep.equal(before);
    });
  }

  it('the lease is renewed while a rebuild runs longer than its life, and released at the end', async () => {
    const short = await createTestApp({ rebuildBatchSize: 1, rebuildLeaseMs: 100 });
    try {
      const lease = rebuildLeaseKey(app.config.redisPrefix);
      const started = Date.now();
      // Each entity pauses 150 ms before its (fenced) swap: the rebuild outlives the 100 ms lease whatever the machine's speed.
      const results = await short.rebuilder.rebuildAll(async ({ stage }) => {
        if (stage === 'replayed') await new Promise((resolve) => setTimeout(resolve, 150));
      });
      expect(Date.now() - started, 'the rebuild outlived the lease several times').to.be.above(3 * 100);
      expect(results.map((r) => r.count)).to.deep.equal([300, 40, 300]);
      expect(await app.redis.exists(lease), 'released').to.equal(0);
      expect(await actualReadModel(app)).to.deep.equal(await expectedReadModel(app));
    } finally {
      await short.close();
    }
  });
});

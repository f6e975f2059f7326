import { expect } from 'chai';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApplication, type Application } from '../../../../core/app.js';
import { loadConfig } from '../../../../core/config.js';
import { EVENT_TYPES, type StoredEvent } from '../../../../core/events/DomainEvent.js';
import { EventStore } from '../../../../core/events/EventStore.js';
import { silentLogger } from '../../../../core/logger.js';
import { checkpointKey } from '../../../../core/projections/ProjectionKeys.js';
import { createTestApp, resetData, seedSmall } from '../../../support/fixtures.js';
import { PrivateRedis } from '../../../support/privateRedis.js';
import { actualReadModel, expectedReadModel, redisDump } from '../../../support/readModel.js';

/** One command of each kind; a rename of product 1 also changes the orders holding it. */
async function oneOfEach(app: Application): Promise<void> {
  const product = await app.commands.product.create({ name: 'Given Product', price: '10.00' });
  await app.commands.product.update(1, { name: 'Renamed Product 1', price: '11.11' });
  await app.commands.product.delete(product.id);
  const customer = await app.commands.customer.create({ name: 'Given Customer', email: 'given@example.com' });
  await app.commands.customer.delete(customer.id);
  const order = await app.commands.order.create({ customer_id: 2, items: [{ product_id: 1, quantity: 3 }] });
  await app.commands.order.create({ customer_id: 3, items: [{ product_id: 2, quantity: 1 }] });
  await app.commands.order.delete(order.id);
}

async function allEvents(app: Application): Promise<StoredEvent[]> {
  return EventStore.readAfter(app.knex, 0, 1_000_000);
}

async function waitForRedis(app: Application): Promise<void> {
  for (let i = 0; i < 200 && app.redis.status !== 'ready'; i++) await sleep(25);
  expect(app.redis.status, 'client reconnected to Redis').to.equal('ready');
}

describe('projector', () => {
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

  describe('given commands run while Redis was unreachable', () => {
    let offline: Application;
    let readModelBefore: Awaited<ReturnType<typeof actualReadModel>>;
    let redisBefore: Record<string, unknown>;

    beforeEach(async () => {
      readModelBefore = await actualReadModel(app);
      redisBefore = await redisDump(app);
      // Same database, a Redis address where nothing listens: every inline projection fails.
      offline = createApplication({ ...loadConfig(), redisUrl: 'redis://127.0.0.1:1/15' }, { logger: silentLogger });
      await oneOfEach(offline);
    });
    afterEach(async () => {
      await offline.close();
    });

    it('the writes stand and every inline projection failed', async () => {
      expect(offline.projector.stats.inlineFailures).to.equal(8);
      const types = new Set((await allEvents(app)).map((e) => e.type));
      expect([...types].sort()).to.deep.equal([...EVENT_TYPES].sort());
      expect(await app.projector.lag()).to.equal(8);
      // Redis is exactly as it was before the commands, while MySQL moved on: 2 products (one created then
      // deleted, one renamed), 1 customer created then deleted, 2 orders created and 1 of them deleted.
      expect(await redisDump(app)).to.deep.equal(redisBefore);
      expect(await actualReadModel(app)).to.deep.equal(readModelBefore);
      const expected = await expectedReadModel(app);
      expect(expected.products.map((p) => p.id)).to.deep.equal(readModelBefore.products.map((p) => p.id));
      expect(expected.products.find((p) => p.id === 1)).to.include({ name: 'Renamed Product 1', price: '11.11' });
      expect(readModelBefore.products.find((p) => p.id === 1)?.name).to.not.equal('Renamed Product 1');
      expect(expected.customers.map((c) => c.id)).to.deep.equal(readModelBefore.customers.map((c) => c.id));
      expect(expected.orders.map((o) => o.id)).to.deep.equal([...readModelBefore.orders.map((o) => o.id), readModelBefore.orders.length + 2]);
    });

    it('when the projector catches up, every event type is applied and the read model matches MySQL', async () => {
      expect(await app.projector.catchUp()).to.equal(8);
      expect(await actualReadModel(app)).to.deep.equal(await expectedReadModel(app));
      expect(await app.projector.lag()).to.equal(0);
      const order = (await app.repositories.order.all()).find((o) => o.items.some((i) => i.product_id === 1));
      expect(order?.items.find((i) => i.product_id === 1)?.name).to.equal('Renamed Product 1');
      expect(await app.projector.catchUp()).to.equal(0);
    });

    it('a catch-up in batches applies every event when the outbox holds several full batches, an exact multiple of them', async () => {
      const start = await app.projector.checkpoint();
      // 8 events behind: 2 full batches of 4, 4 of 2, 1 of 8; and 3 + 3 + 2.
      for (const batchSize of [4, 2, 8, 3]) {
        await app.redis.set(checkpointKey(app.config.redisPrefix), String(start)); // back to before the commands
        expect(await app.projector.lag(), `before, batches of ${batchSize}`).to.equal(8);
        expect(await app.projector.catchUp(batchSize), `batches of ${batchSize}`).to.equal(8);
        expect(await app.projector.lag(), `after, batches of ${batchSize}`).to.equal(0);
        expect(await actualReadModel(app), `batches of ${batchSize}`).to.deep.equal(await expectedReadModel(app));
      }
    });

    it('applying every event a second time, or in reverse order, changes nothing', async () => {
      await app.projector.catchUp();
      const once = await redisDump(app);
      const events = await allEvents(app);
      await app.projector.applyEvents(events);
      expect(await redisDump(app)).to.deep.equal(once);
      await app.projector.applyEvents([...events].reverse());
      expect(await redisDump(app)).to.deep.equal(once);
    });
  });

  it('an event older than what a projection reflects does not take it back in time', async () => {
    const created = await app.commands.product.create({ name: 'Version 1', price: '1.00' });
    await app.commands.product.update(created.id, { name: 'Version 2' });
    const [createdEvent] = (await allEvents(app)).filter((e) => e.type === 'ProductCreated');
    await app.projector.applyEvents([createdEvent!]);
    expect((await app.repositories.product.get(created.id))?.name).to.equal('Version 2');
  });

  it('a deleted entity is not brought back by replaying its creation', async () => {
    const created = await app.commands.customer.create({ name: 'Gone', email: 'gone@example.com' });
    await app.commands.customer.delete(created.id);
    await app.projector.applyEvents(await allEvents(app));
    expect(await app.repositories.customer.get(created.id)).to.equal(null);
  });

  it('inline projection gives read-your-writes without the projector', async () => {
    const product = await app.commands.product.create({ name: 'Inline', price: '3.00' });
    expect(await app.reads.product.projection.get(product.id)).to.deep.equal(product);
    const order = await app.commands.order.create({ customer_id: 1, items: [{ product_id: product.id, quantity: 2 }] });
    expect(await app.reads.order.projection.get(order.id)).to.deep.equal(await app.reads.order.db.get(order.id));
  });

  describe('when Redis stops mid-way and comes back', () => {
    let redis: PrivateRedis;
    let own: Application;

    before(async () => {
      redis = await PrivateRedis.start();
    });
    after(async () => {
      await redis.destroy();
    });
    afterEach(async () => {
      await own?.close();
    });

    it('the writes made during the outage are caught up, and the result equals a full rebuild', async () => {
      own = await createTestApp({ redisUrl: redis.url });
      await own.projector.reset();
      await own.rebuilder.rebuildAll();
      await own.commands.product.create({ name: 'Before outage', price: '5.00' });
      await own.commands.order.create({ customer_id: 4, items: [{ product_id: 4, quantity: 1 }] });

      await redis.stop();
      await oneOfEach(own);
      await own.commands.product.update(2, { name: 'Renamed during outage' });
      expect(own.projector.stats.inlineFailures).to.equal(9);

      await redis.start();
      await waitForRedis(own);
      expect(await own.projector.lag()).to.be.greaterThan(0);
      await own.projector.catchUp();
      expect(await own.projector.lag()).to.equal(0);
      const caughtUp = await actualReadModel(own);
      expect(caughtUp).to.deep.equal(await expectedReadModel(own));

      await own.rebuilder.rebuildAll();
      expect(await actualReadModel(own)).to.deep.equal(caughtUp);
    });
  });
});

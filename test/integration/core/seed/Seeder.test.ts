import { expect } from 'chai';
import type { Application } from '../../../../core/app.js';
import type { SeedSizes } from '../../../../core/config.js';
import { Tables } from '../../../../core/db/tables.js';
import { Seeder } from '../../../../core/seed/Seeder.js';
import { createTestApp, resetData } from '../../../support/fixtures.js';

const SMALL: SeedSizes = { products: 40, customers: 12, orders: 30, itemsPerOrder: 3, seed: 11 };
const BIGGER: SeedSizes = { products: 90, customers: 30, orders: 70, itemsPerOrder: 2, seed: 12 };
const DATA_TABLES = [Tables.products, Tables.customers, Tables.orders, Tables.orderItems, Tables.events, Tables.eventSequence, Tables.aggregateCounts, Tables.idempotencyKeys];

/** Every row of every write-model table (outbox and counters included), in primary-key order. */
async function dump(app: Application): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const table of DATA_TABLES) {
    const key = table === Tables.aggregateCounts ? ['aggregate_type', 'slot'] : [table === Tables.idempotencyKeys ? 'idempotency_key' : 'id'];
    tables[table] = await app.knex(table).select('*').orderBy(key);
  }
  return tables;
}

/** Commands that touch every table: created, updated, soft-deleted and deleted rows, outbox events, an idempotency key. */
async function runCommands(app: Application): Promise<void> {
  const product = await app.commands.product.create({ name: 'Made by a command', price: '12.34' },
    { key: 'seeder-test', fingerprint: 'f'.repeat(64), answer: (created) => ({ status: 201, body: JSON.stringify({ product: created }) }) });
  await app.commands.product.update(2, { name: 'Renamed by a command' });
  await app.commands.product.delete(3);
  const customer = await app.commands.customer.create({ name: 'Command Customer', email: 'command@example.com' });
  await app.commands.customer.delete(4);
  await app.commands.order.create({ customer_id: customer.id, items: [{ product_id: product.id, quantity: 2 }, { product_id: 1, quantity: 1 }] });
  await app.commands.order.delete(5);
}

function seed(app: Application, sizes: SeedSizes): ReturnType<Seeder['seed']> {
  return new Seeder(app.knex, 7).seed(sizes);
}

describe('Seeder', () => {
  let app: Application;

  before(async () => {
    app = await createTestApp({ mysqlPoolMax: 1 });
  });
  after(async () => {
    await app.knex.raw('DROP TRIGGER IF EXISTS seed_fails_half_way');
    await app.close();
  });

  describe('the data set it writes', () => {
    let fresh: Record<string, unknown[]>;

    before(async () => {
      await resetData(app);
      const result = await seed(app, SMALL);
      expect(result).to.include({ products: 40, customers: 12, orders: 30, orderItems: 90 });
      fresh = await dump(app);
    });

    it('is the sizes asked for, item ids from 1, counters and an empty outbox', () => {
      expect(fresh[Tables.products]).to.have.length(40);
      expect(fresh[Tables.customers]).to.have.length(12);
      expect(fresh[Tables.orders]).to.have.length(30);
      expect((fresh[Tables.orderItems] as { id: number }[]).map((r) => r.id)).to.deep.equal(Array.from({ length: 90 }, (_, i) => i + 1));
      expect(fresh[Tables.events]).to.deep.equal([]);
      expect(fresh[Tables.eventSequence]).to.deep.equal([{ id: 1, last_position: 0 }]);
      // The whole count in slot 0, the other 31 slots of each entity at 0.
      const counts = fresh[Tables.aggregateCounts] as Array<{ aggregate_type: string; slot: number; live_count: number }>;
      expect(counts.filter((c) => c.slot === 0)).to.deep.equal([
        { aggregate_type: 'customer', slot: 0, live_count: 12 }, { aggregate_type: 'order', slot: 0, live_count: 30 }, { aggregate_type: 'product', slot: 0, live_count: 40 },
      ]);
      expect(counts.filter((c) => c.slot !== 0).map((c) => c.live_count)).to.deep.equal(Array(3 * 31).fill(0));
    });

    it('is the same, row for row, when seeded again over itself', async () => {
      await seed(app, SMALL);
      expect(await dump(app)).to.deep.equal(fresh);
    });

    it('replaces what commands changed since (created, updated, soft-deleted, deleted rows, the outbox): equal to a seed into empty tables', async () => {
      await runCommands(app);
      const changed = await dump(app);
      expect(changed).to.not.deep.equal(fresh);
      expect(changed[Tables.events]).to.have.length(7);
      expect(changed[Tables.idempotencyKeys], 'a key recorded answers that name the replaced rows').to.have.length(1);
      await seed(app, SMALL);
      expect(await dump(app)).to.deep.equal(fresh);
    });

    it('after a bigger data set, leaves nothing of it, and new rows continue from the seeded ids', async () => {
      await seed(app, BIGGER);
      expect(await app.knex(Tables.products).count({ n: '*' }).first()).to.deep.equal({ n: 90 });
      await seed(app, SMALL);
      expect(await dump(app)).to.deep.equal(fresh);
      const product = await app.commands.product.create({ name: 'Next', price: '1.00' });
      const customer = await app.commands.customer.create({ name: 'Next', email: 'next@example.com' });
      const order = await app.commands.order.create({ customer_id: 1, items: [{ product_id: 1, quantity: 1 }] });
      expect([product.id, customer.id, order.id]).to.deep.equal([41, 13, 31]);
      const [item] = await app.knex(Tables.orderItems).where({ order_id: order.id }).select('id');
      expect(item.id).to.equal(91);
    });
  });

  describe('a failure half-way', () => {
    let previous: Record<string, unknown[]>;
    let failure: Error | undefined;

    before(async () => {
      await resetData(app);
      await seed(app, SMALL);
      await runCommands(app); // an outbox and changed rows that a half-done reset would lose
      previous = await dump(app);
      // Fails on the 20th order of the new data set: products and customers are rewritten and the rows beyond
      // the new sizes deleted by then.
      await app.knex.raw(`CREATE TRIGGER seed_fails_half_way BEFORE INSERT ON ${Tables.orders} FOR EACH ROW
        IF NEW.id = 20 THEN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'seed failed half-way'; END IF`);
      try {
        await seed(app, { ...BIGGER, customers: 8 });
      } catch (err) {
        failure = err as Error;
      } finally {
        await app.knex.raw('DROP TRIGGER seed_fails_half_way');
      }
    });

    it('is reported', () => {
      expect(failure?.message).to.contain('seed failed half-way');
    });

    it('leaves the previous data set entirely as it was: every row, the outbox and the counters', async () => {
      expect(await dump(app)).to.deep.equal(previous);
    });

    it('gives the connection back with foreign-key and unique checks on', async () => {
      // The pool has one connection: the one the failed seed used.
      const [[checks]] = await app.knex.raw('SELECT @@SESSION.foreign_key_checks AS fk, @@SESSION.unique_checks AS uq');
      expect(checks).to.deep.equal({ fk: 1, uq: 1 });
    });
  });

  it('readers see the previous data set until the new one commits, never a part of it', async () => {
    await resetData(app);
    await seed(app, SMALL);
    const reader = await createTestApp();
    try {
      const seen: Promise<number[]>[] = [];
      const counts = async () => {
        const [[row]] = await reader.knex.raw(`SELECT (SELECT COUNT(*) FROM ${Tables.products}) AS p, (SELECT COUNT(*) FROM ${Tables.customers}) AS c,
          (SELECT COUNT(*) FROM ${Tables.orders}) AS o, (SELECT COUNT(*) FROM ${Tables.orderItems}) AS i`);
        return [Number(row.p), Number(row.c), Number(row.o), Number(row.i)];
      };
      await new Seeder(app.knex, 7).seed(BIGGER, () => { seen.push(counts()); });
      const observed = await Promise.all(seen);
      expect(observed.length).to.be.greaterThan(20);
      const previous = [40, 12, 30, 90];
      const next = [90, 30, 70, 140];
      for (const state of observed) expect([previous, next]).to.deep.include(state);
      expect(observed[0]).to.deep.equal(previous);
    } finally {
      await reader.close();
    }
  });
});

import type { Knex } from 'knex';
import type { SeedSizes } from '../config.js';
import { Tables } from '../db/tables.js';
import { defaultOrderNumber, ORDER_STATUSES } from '../commands/OrderCommands.js';
import { toSqlDateTime } from '../time.js';
import { createRandom, type Random } from './random.js';

export interface SeedProgress {
  readonly table: 'products' | 'customers' | 'orders';
  readonly done: number;
  readonly total: number;
}

export interface SeedResult {
  readonly products: number;
  readonly customers: number;
  readonly orders: number;
  readonly orderItems: number;
  readonly ms: number;
}

const ADJECTIVES = ['Classic', 'Compact', 'Deluxe', 'Eco', 'Ergonomic', 'Heavy-Duty', 'Lightweight', 'Modern', 'Portable', 'Premium', 'Rustic', 'Smart', 'Sleek', 'Vintage', 'Wireless'];
const MATERIALS = ['Aluminium', 'Bamboo', 'Carbon', 'Ceramic', 'Copper', 'Cotton', 'Glass', 'Leather', 'Linen', 'Marble', 'Oak', 'Steel', 'Walnut', 'Wool'];
const NOUNS = ['Backpack', 'Chair', 'Clock', 'Desk', 'Headphones', 'Kettle', 'Keyboard', 'Lamp', 'Mug', 'Notebook', 'Speaker', 'Table', 'Teapot', 'Wallet', 'Watch'];
const FIRST = ['Alice', 'Ben', 'Chloe', 'David', 'Emma', 'Finn', 'Grace', 'Harry', 'Isla', 'Jack', 'Kate', 'Liam', 'Mia', 'Noah', 'Olivia', 'Ryan', 'Sophie', 'Tom'];
const LAST = ['Anderson', 'Brown', 'Campbell', 'Davidson', 'Fraser', 'Graham', 'Hamilton', 'Kerr', 'MacDonald', 'Murray', 'Reid', 'Robertson', 'Scott', 'Stewart', 'Wilson'];
const PLACES: ReadonlyArray<readonly [city: string, postcode: string, country: string]> = [
  ['Glasgow', 'G1', 'United Kingdom'], ['Edinburgh', 'EH1', 'United Kingdom'], ['London', 'EC1A', 'United Kingdom'],
  ['Dublin', 'D02', 'Ireland'], ['Paris', '750', 'France'], ['Berlin', '101', 'Germany'], ['Madrid', '280', 'Spain'],
];
const STREETS = ['High Street', 'Main Street', 'Church Road', 'Station Road', 'Park Avenue', 'Mill Lane', 'Queen Street'];

const BASE_TIME = Date.UTC(2025, 0, 1);

/** Items in each seeded order: distinct products, so never more than there are products. */
function itemsPerOrder(sizes: SeedSizes): number {
  return Math.min(sizes.itemsPerOrder, sizes.products);
}

function at(offsetSeconds: number): string {
  return toSqlDateTime(new Date(BASE_TIME + offsetSeconds * 1000));
}

const ID_TABLES = [Tables.products, Tables.customers, Tables.orders, Tables.orderItems] as const;

/**
 * Fills the write model with deterministic data (same sizes and seed, same rows) in batched multi-row
 * inserts. It replaces what is there, outbox included, so the projections must be rebuilt afterwards.
 *
 * One transaction, no TRUNCATE (which MariaDB commits implicitly): a failure anywhere leaves the previous data
 * set entirely as it was, and readers see the old data set until the new one commits. Within it, rows are
 * written in place (INSERT … ON DUPLICATE KEY UPDATE by id) and only the rows beyond the new sizes and the
 * outbox are deleted: re-seeding the same data set changes almost nothing, so it costs about what filling
 * empty tables did, where deleting every row and inserting it again took three times as long.
 */
export class Seeder {
  constructor(private readonly knex: Knex, private readonly batchSize: number) {}

  async seed(sizes: SeedSizes, onProgress?: (progress: SeedProgress) => void): Promise<SeedResult> {
    const started = performance.now();
    const random = createRandom(sizes.seed);
    const productPrices = new Uint32Array(sizes.products + 1);
    let orderItems = 0;
    await this.knex.transaction(async (trx) => {
      // Session settings of the transaction's connection, restored even on failure: it goes back to the pool.
      await trx.raw('SET FOREIGN_KEY_CHECKS = 0, UNIQUE_CHECKS = 0');
      try {
        await this.deleteBeyond(trx, sizes);
        await trx(Tables.eventSequence).update({ last_position: 0 });
        // A new data set: read models built from the previous one no longer belong to it.
        await trx(Tables.writeModelIdentity).where({ id: 1 }).increment('generation', 1);
        await this.insertProducts(trx, sizes, random, productPrices, onProgress);
        await this.insertCustomers(trx, sizes, random, onProgress);
        orderItems = await this.insertOrders(trx, sizes, random, productPrices, onProgress);
        for (const [type, count] of [['product', sizes.products], ['customer', sizes.customers], ['order', sizes.orders]] as const) {
          await trx(Tables.aggregateCounts).where({ aggregate_type: type }).update({ live_count: trx.raw('IF(slot = 0, ?, 0)', [count]) });
        }
      } finally {
        await trx.raw('SET FOREIGN_KEY_CHECKS = 1, UNIQUE_CHECKS = 1');
      }
    });
    // After the commit (ALTER TABLE would commit it): new rows continue from the seeded ids, as after a TRUNCATE.
    for (const table of ID_TABLES) await this.knex.raw(`ALTER TABLE \`${table}\` AUTO_INCREMENT = 1`);
    return { products: sizes.products, customers: sizes.customers, orders: sizes.orders, orderItems, ms: performance.now() - started };
  }

  /**
   * Deletes the outbox, the idempotency keys (their recorded answers name rows of the data set being replaced) and
   * every row the new data set does not overwrite (ids above its sizes).
   */
  private async deleteBeyond(trx: Knex.Transaction, sizes: SeedSizes): Promise<void> {
    await trx(Tables.events).delete();
    // The keys' table comes with migration 005: a database migrated to an earlier one (the migrations test seeds
    // one at 002) has none to clear.
    if (await trx.schema.hasTable(Tables.idempotencyKeys)) await trx(Tables.idempotencyKeys).delete();
    await trx(Tables.orderItems).where('id', '>', sizes.orders * itemsPerOrder(sizes)).delete();
    await trx(Tables.orders).where('id', '>', sizes.orders).delete();
    await trx(Tables.customers).where('id', '>', sizes.customers).delete();
    await trx(Tables.products).where('id', '>', sizes.products).delete();
  }

  private insertProducts(trx: Knex.Transaction, sizes: SeedSizes, random: Random, prices: Uint32Array, onProgress?: (p: SeedProgress) => void): Promise<void> {
    return this.inBatches(sizes.products, 'products', onProgress, async (from, to) => {
      const rows = [];
      for (let id = from; id <= to; id++) {
        const price = random.int(100, 99_999);
        prices[id] = price;
        const name = `${random.pick(ADJECTIVES)} ${random.pick(MATERIALS)} ${random.pick(NOUNS)} ${id}`;
        rows.push({
          id, name, description: `${name}: a ${random.pick(ADJECTIVES).toLowerCase()} choice for everyday use.`,
          price_cents: price, created_at: at(id * 60), updated_at: at(id * 60), deleted_at: null,
        });
      }
      await trx(Tables.products).insert(rows).onConflict().merge();
    });
  }

  private insertCustomers(trx: Knex.Transaction, sizes: SeedSizes, random: Random, onProgress?: (p: SeedProgress) => void): Promise<void> {
    return this.inBatches(sizes.customers, 'customers', onProgress, async (from, to) => {
      const rows = [];
      for (let id = from; id <= to; id++) {
        const first = random.pick(FIRST);
        const last = random.pick(LAST);
        const [city, postcode, country] = random.pick(PLACES);
        rows.push({
          id, name: `${first} ${last}`, email: `${first}.${last}.${id}@example.com`.toLowerCase(),
          address: `${random.int(1, 250)} ${random.pick(STREETS)}`, city, postal_code: `${postcode} ${random.int(1, 9)}AA`,
          country, created_at: at(id * 120), deleted_at: null,
        });
      }
      await trx(Tables.customers).insert(rows).onConflict().merge();
    });
  }

  /** Orders and their items; returns the number of items. Item ids are given too, so they are deterministic. */
  private async insertOrders(trx: Knex.Transaction, sizes: SeedSizes, random: Random, prices: Uint32Array, onProgress?: (p: SeedProgress) => void): Promise<number> {
    const perOrder = itemsPerOrder(sizes);
    let itemId = 0;
    await this.inBatches(sizes.orders, 'orders', onProgress, async (from, to) => {
      const orders = [];
      const items = [];
      for (let id = from; id <= to; id++) {
        const chosen = new Set<number>();
        while (chosen.size < perOrder) chosen.add(random.int(1, sizes.products));
        let total = 0;
        for (const productId of chosen) {
          const quantity = random.int(1, 5);
          const price = prices[productId]!;
          total += price * quantity;
          items.push({ id: ++itemId, order_id: id, product_id: productId, quantity, unit_price_cents: price });
        }
        const created = at(id * 30);
        orders.push({
          id, customer_id: random.int(1, sizes.customers), order_number: defaultOrderNumber(id),
          status: random.pick(ORDER_STATUSES), total_cents: total, created_at: created, updated_at: created,
        });
      }
      await trx(Tables.orders).insert(orders).onConflict().merge();
      await trx(Tables.orderItems).insert(items).onConflict().merge();
    });
    return itemId;
  }

  private async inBatches(
    total: number,
    table: SeedProgress['table'],
    onProgress: ((progress: SeedProgress) => void) | undefined,
    insert: (fromId: number, toId: number) => Promise<void>,
  ): Promise<void> {
    onProgress?.({ table, done: 0, total });
    for (let from = 1; from <= total; from += this.batchSize) {
      const to = Math.min(total, from + this.batchSize - 1);
      await insert(from, to);
      onProgress?.({ table, done: to, total });
    }
  }
}

export type { Random };

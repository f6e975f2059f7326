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

function at(offsetSeconds: number): string {
  return toSqlDateTime(new Date(BASE_TIME + offsetSeconds * 1000));
}

/**
 * Fills the write model with deterministic data (same sizes and seed, same rows) in batched multi-row
 * inserts. It replaces what is there: the tables and the outbox are emptied first, so the projections
 * must be rebuilt afterwards.
 */
export class Seeder {
  constructor(private readonly knex: Knex, private readonly batchSize: number) {}

  async seed(sizes: SeedSizes, onProgress?: (progress: SeedProgress) => void): Promise<SeedResult> {
    const started = performance.now();
    const random = createRandom(sizes.seed);
    const productPrices = new Uint32Array(sizes.products + 1);
    let orderItems = 0;
    // One pinned connection, so the session settings below apply to every statement.
    await this.knex.transaction(async (trx) => {
      await trx.raw('SET FOREIGN_KEY_CHECKS = 0, UNIQUE_CHECKS = 0');
      for (const table of [Tables.orderItems, Tables.orders, Tables.customers, Tables.products, Tables.events]) {
        await trx.raw(`TRUNCATE TABLE \`${table}\``);
      }
      await trx(Tables.eventSequence).update({ last_position: 0 });

      await this.inBatches(sizes.products, 'products', onProgress, async (from, to) => {
        const rows = [];
        for (let id = from; id <= to; id++) {
          const price = random.int(100, 99_999);
          productPrices[id] = price;
          const name = `${random.pick(ADJECTIVES)} ${random.pick(MATERIALS)} ${random.pick(NOUNS)} ${id}`;
          rows.push({
            id, name, description: `${name}: a ${random.pick(ADJECTIVES).toLowerCase()} choice for everyday use.`,
            price_cents: price, created_at: at(id * 60), updated_at: at(id * 60),
          });
        }
        await trx(Tables.products).insert(rows);
      });

      await this.inBatches(sizes.customers, 'customers', onProgress, async (from, to) => {
        const rows = [];
        for (let id = from; id <= to; id++) {
          const first = random.pick(FIRST);
          const last = random.pick(LAST);
          const [city, postcode, country] = random.pick(PLACES);
          rows.push({
            id, name: `${first} ${last}`, email: `${first}.${last}.${id}@example.com`.toLowerCase(),
            address: `${random.int(1, 250)} ${random.pick(STREETS)}`, city, postal_code: `${postcode} ${random.int(1, 9)}AA`,
            country, created_at: at(id * 120),
          });
        }
        await trx(Tables.customers).insert(rows);
      });

      const perOrder = Math.min(sizes.itemsPerOrder, sizes.products);
      await this.inBatches(sizes.orders, 'orders', onProgress, async (from, to) => {
        const orders = [];
        const items = [];
        for (let id = from; id <= to; id++) {
          const chosen = new Set<number>();
          while (chosen.size < perOrder) chosen.add(random.int(1, sizes.products));
          let total = 0;
          for (const productId of chosen) {
            const quantity = random.int(1, 5);
            const price = productPrices[productId]!;
            total += price * quantity;
            items.push({ order_id: id, product_id: productId, quantity, unit_price_cents: price });
          }
          const created = at(id * 30);
          orders.push({
            id, customer_id: random.int(1, sizes.customers), order_number: defaultOrderNumber(id),
            status: random.pick(ORDER_STATUSES), total_cents: total, created_at: created, updated_at: created,
          });
        }
        await trx(Tables.orders).insert(orders);
        await trx(Tables.orderItems).insert(items);
        orderItems += items.length;
      });

      for (const [type, count] of [['product', sizes.products], ['customer', sizes.customers], ['order', sizes.orders]] as const) {
        await trx(Tables.aggregateCounts).where({ aggregate_type: type }).update({ live_count: count });
      }
      await trx.raw('SET FOREIGN_KEY_CHECKS = 1, UNIQUE_CHECKS = 1');
    });
    return { products: sizes.products, customers: sizes.customers, orders: sizes.orders, orderItems, ms: performance.now() - started };
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

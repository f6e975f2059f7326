import type { Knex } from 'knex';
import { notFound } from '../errors.js';
import type { Page, PageRequest } from '../pagination.js';
import { Tables, type OrderItemRow, type OrderRow } from '../db/tables.js';
import { OrderProjectionBuilder, type OrderProjection } from '../model/Order.js';
import type { EntityQueries } from '../model/EntityQueries.js';
import { applyPage, boundedSelect, byDeferredJoin, checkDbOffset, liveCount, pageIdsQuery, unboundedSelect, type DbReadLimits, type Select } from './sql.js';

type Db = Knex | Knex.Transaction;

// The MySQL order read loads its relationships (customer, items, products): the slow path the original
// demo shows. It is done in two queries per request (orders ⋈ customers, then items ⋈ products), not N+1.
// STRAIGHT_JOIN keeps orders as the driving table: otherwise the optimiser may scan customers and
// sort the whole join to find a page of orders, a cost that grows with the table.
// The customer and each item's product are looked up in narrow indexes that cover what is read of them (migration
// 006): through the primary key each lookup read a whole row, and at 1M products went to disk for every other item.
// The optimiser prefers the primary key's eq_ref, hence FORCE INDEX.
const CUSTOMER_JOIN = `STRAIGHT_JOIN ${Tables.customers} AS c FORCE INDEX (customers_id_name_email) ON c.id = o.customer_id`;
const PRODUCT_JOIN = `JOIN ${Tables.products} AS p FORCE INDEX (products_id_name) ON p.id = i.product_id`;
const ORDER_COLUMNS = ['o.id', 'o.customer_id', 'c.name as customer_name', 'c.email as customer_email', 'o.order_number',
  'o.status', 'o.total_cents', 'o.created_at', 'o.updated_at'];

function ordersQuery(db: Db) {
  return db(`${Tables.orders} as o`)
    .joinRaw(CUSTOMER_JOIN)
    .select(ORDER_COLUMNS);
}

async function itemsOf(db: Db, orderIds: readonly number[], select: Select = unboundedSelect): Promise<OrderItemRow[]> {
  if (orderIds.length === 0) return [];
  return select<OrderItemRow>(db(`${Tables.orderItems} as i`)
    .joinRaw(PRODUCT_JOIN)
    .select('i.order_id', 'i.product_id', 'p.name as product_name', 'i.quantity', 'i.unit_price_cents')
    .whereIn('i.order_id', orderIds as number[])
    .orderBy([{ column: 'i.order_id' }, { column: 'i.id' }]));
}

async function ordersByIds(db: Db, ids: readonly number[], select: Select): Promise<OrderProjection[]> {
  if (ids.length === 0) return [];
  const orders = await select<OrderRow>(ordersQuery(db).whereIn('o.id', ids as number[]).orderBy('o.id'));
  return OrderProjectionBuilder.fromRowSets(orders, await itemsOf(db, orders.map((o) => o.id), select));
}

export class OrderDbQueries implements EntityQueries<OrderProjection> {
  private readonly select: Select;

  constructor(private readonly knex: Knex, private readonly limits: DbReadLimits) {
    this.select = boundedSelect(knex, limits.mysqlStatementTimeoutMs);
  }

  async get(id: number): Promise<OrderProjection> {
    const [order] = await ordersByIds(this.knex, [id], this.select);
    if (!order) throw notFound('order', id);
    return order;
  }

  /**
   * A page at an offset is a deferred join: its ids from the narrow index on id, then their rows and customers
   * (joined before the OFFSET, every skipped order cost a customer lookup too: 90 s at offset 990,000 of 1M).
   */
  async list(request: PageRequest): Promise<Page<OrderProjection>> {
    checkDbOffset(request, this.limits.dbMaxOffset);
    const ordersOfPage = byDeferredJoin(request)
      ? this.knex.select(ORDER_COLUMNS)
        .from(pageIdsQuery(this.knex, Tables.orders, false, request).as('page'))
        .joinRaw(`STRAIGHT_JOIN ${Tables.orders} AS o ON o.id = page.id`)
        .joinRaw(CUSTOMER_JOIN)
        .orderBy('page.id', 'asc')
      : applyPage(ordersQuery(this.knex), 'o.id', request);
    const [orders, total] = await Promise.all([this.select<OrderRow>(ordersOfPage), liveCount(this.knex, 'order', this.select)]);
    const items = await itemsOf(this.knex, orders.map((o) => o.id), this.select);
    return { items: OrderProjectionBuilder.fromRowSets(orders, items), total };
  }

  /** The orders with these ids that exist, by id. */
  static byIds(db: Db, ids: readonly number[]): Promise<OrderProjection[]> {
    return ordersByIds(db, ids, unboundedSelect);
  }

  static async batchAfter(db: Db, afterId: number, limit: number): Promise<OrderProjection[]> {
    const orders: OrderRow[] = await ordersQuery(db).where('o.id', '>', afterId).orderBy('o.id').limit(limit);
    return OrderProjectionBuilder.fromRowSets(orders, await itemsOf(db, orders.map((o) => o.id)));
  }

  /** Ids of the orders that have an item of this product (their projections show its name). */
  static async idsContainingProduct(db: Db, productId: number): Promise<number[]> {
    const rows: { order_id: number }[] = await db(Tables.orderItems).distinct('order_id').where({ product_id: productId });
    return rows.map((r) => r.order_id);
  }
}

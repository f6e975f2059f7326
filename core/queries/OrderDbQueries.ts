import type { Knex } from 'knex';
import { notFound } from '../errors.js';
import type { Page, PageRequest } from '../pagination.js';
import { Tables, type OrderItemRow, type OrderRow } from '../db/tables.js';
import { OrderProjectionBuilder, type OrderProjection } from '../model/Order.js';
import type { EntityQueries } from '../model/EntityQueries.js';
import { applyPage, liveCount } from './sql.js';

type Db = Knex | Knex.Transaction;

// The MySQL order read loads its relationships (customer, items, products): the slow path the original
// demo shows. It is done in two queries per request (orders ⋈ customers, then items ⋈ products), not N+1.
// STRAIGHT_JOIN keeps orders as the driving table: otherwise the optimiser may scan customers and
// sort the whole join to find a page of orders, a cost that grows with the table.
function ordersQuery(db: Db) {
  return db(`${Tables.orders} as o`)
    .joinRaw(`STRAIGHT_JOIN ${Tables.customers} AS c ON c.id = o.customer_id`)
    .select('o.id', 'o.customer_id', 'c.name as customer_name', 'c.email as customer_email', 'o.order_number',
      'o.status', 'o.total_cents', 'o.created_at', 'o.updated_at');
}

async function itemsOf(db: Db, orderIds: readonly number[]): Promise<OrderItemRow[]> {
  if (orderIds.length === 0) return [];
  return db(`${Tables.orderItems} as i`)
    .join(`${Tables.products} as p`, 'p.id', 'i.product_id')
    .select('i.order_id', 'i.product_id', 'p.name as product_name', 'i.quantity', 'i.unit_price_cents')
    .whereIn('i.order_id', orderIds as number[])
    .orderBy([{ column: 'i.order_id' }, { column: 'i.id' }]);
}

export class OrderDbQueries implements EntityQueries<OrderProjection> {
  constructor(private readonly knex: Knex) {}

  async get(id: number): Promise<OrderProjection> {
    const [order] = await OrderDbQueries.byIds(this.knex, [id]);
    if (!order) throw notFound('order', id);
    return order;
  }

  async list(request: PageRequest): Promise<Page<OrderProjection>> {
    const [orders, total] = await Promise.all([
      applyPage(ordersQuery(this.knex), 'o.id', request) as Promise<OrderRow[]>,
      liveCount(this.knex, 'order'),
    ]);
    const items = await itemsOf(this.knex, orders.map((o) => o.id));
    return { items: OrderProjectionBuilder.fromRowSets(orders, items), total };
  }

  /** The orders with these ids that exist, by id. */
  static async byIds(db: Db, ids: readonly number[]): Promise<OrderProjection[]> {
    if (ids.length === 0) return [];
    const orders: OrderRow[] = await ordersQuery(db).whereIn('o.id', ids as number[]).orderBy('o.id');
    return OrderProjectionBuilder.fromRowSets(orders, await itemsOf(db, orders.map((o) => o.id)));
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

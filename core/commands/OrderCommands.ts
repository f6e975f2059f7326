import { z } from 'zod';
import { notFound, validationError, type FieldError } from '../errors.js';
import { insertRow, insertStatement, updateRow } from '../db/SqlTransaction.js';
import { Tables, type OrderItemRow } from '../db/tables.js';
import { OrderProjectionBuilder, type OrderProjection } from '../model/Order.js';
import { nowSql } from '../time.js';
import { text, validate, wholeNumber } from '../validation.js';
import type { CommandExecutor } from './CommandExecutor.js';
import type { IdempotentCommand } from './IdempotencyStore.js';

export const ORDER_STATUSES = ['pending', 'paid', 'shipped', 'delivered', 'cancelled'] as const;
const MAX_ID = 4_294_967_295;

const CreateOrder = z.strictObject({
  customer_id: wholeNumber(1, MAX_ID),
  order_number: text(64).optional(),
  status: z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.enum(ORDER_STATUSES, { error: `must be one of ${ORDER_STATUSES.join(', ')}` })).optional(), // trimmed like text
  items: z
    .array(
      z.strictObject({ product_id: wholeNumber(1, MAX_ID), quantity: wholeNumber(1, 10_000) }),
      { error: (issue) => (issue.input === undefined ? 'is required' : 'must be a list of {product_id, quantity}') },
    )
    .min(1, 'must hold at least one item')
    .max(100, 'must hold at most 100 items')
    .superRefine((items, ctx) => {
      // One line per product: two lines of the same product would be two prices for one thing in the totals.
      const first = new Map<number, number>();
      items.forEach((item, i) => {
        const earlier = first.get(item.product_id);
        if (earlier === undefined) first.set(item.product_id, i);
        else ctx.addIssue({ code: 'custom', path: [i, 'product_id'], message: `is already in items[${earlier}]; give one line per product with its quantity` });
      });
    }),
});

/** Order number given when the client gives none: ORD- and the id, zero-padded (as the seeder makes them). */
export function defaultOrderNumber(id: number): string {
  return `ORD-${String(id).padStart(8, '0')}`;
}

export class OrderCommands {
  constructor(private readonly executor: CommandExecutor) {}

  /** Unit prices are taken from the products; customer and products are share-locked until commit. */
  async create(body: unknown, idempotent?: IdempotentCommand<OrderProjection>): Promise<OrderProjection> {
    const input = validate(CreateOrder, body);
    return this.executor.execute(async (trx) => {
      const productIds = [...new Set(input.items.map((i) => i.product_id))];
      const [[customer], products] = await Promise.all([
        trx.query<Array<{ id: number; name: string; email: string }>>(
          `SELECT id, name, email FROM ${Tables.customers} WHERE id = ? AND deleted_at IS NULL LOCK IN SHARE MODE`, [input.customer_id]),
        trx.query<Array<{ id: number; name: string; price_cents: number }>>(
          `SELECT id, name, price_cents FROM ${Tables.products} WHERE id IN (${productIds.map(() => '?').join(', ')}) AND deleted_at IS NULL LOCK IN SHARE MODE`, productIds),
      ]);
      const productById = new Map(products.map((p) => [p.id, p]));
      const errors: FieldError[] = [];
      if (!customer) errors.push({ field: 'customer_id', message: `customer ${input.customer_id} does not exist` });
      input.items.forEach((item, i) => {
        if (!productById.has(item.product_id)) errors.push({ field: `items[${i}].product_id`, message: `product ${item.product_id} does not exist` });
      });
      if (errors.length > 0) throw validationError(errors);

      const now = nowSql();
      const status = input.status ?? 'pending';
      const totalCents = input.items.reduce((sum, i) => sum + productById.get(i.product_id)!.price_cents * i.quantity, 0);
      const id = await insertRow(trx, Tables.orders, {
        customer_id: input.customer_id,
        order_number: input.order_number ?? '',
        status,
        total_cents: totalCents,
        created_at: now,
        updated_at: now,
      });
      const orderNumber = input.order_number ?? defaultOrderNumber(id);
      if (input.order_number === undefined) await updateRow(trx, Tables.orders, id, { order_number: orderNumber });
      const items: OrderItemRow[] = input.items.map((i) => {
        const product = productById.get(i.product_id)!;
        return { order_id: id, product_id: i.product_id, product_name: product.name, quantity: i.quantity, unit_price_cents: product.price_cents };
      });
      const insertItems = insertStatement(Tables.orderItems, items.map(({ product_name: _, ...row }) => row));
      await trx.query(insertItems.sql, insertItems.values);
      const order = OrderProjectionBuilder.fromRows(
        { id, customer_id: input.customer_id, customer_name: customer!.name, customer_email: customer!.email,
          order_number: orderNumber, status, total_cents: totalCents, created_at: now, updated_at: now },
        items,
      );
      return { result: order, events: [{ type: 'OrderCreated', aggregateType: 'order', aggregateId: id, payload: order }], liveCount: { type: 'order', delta: 1 } };
    }, idempotent);
  }

  async delete(id: number, idempotent?: IdempotentCommand<{ id: number }>): Promise<{ id: number }> {
    return this.executor.execute(async (trx) => {
      const [current] = await trx.query<Array<{ id: number }>>(`SELECT id FROM ${Tables.orders} WHERE id = ? FOR UPDATE`, [id]);
      if (!current) throw notFound('order', id);
      await trx.query(`DELETE FROM ${Tables.orders} WHERE id = ?`, [id]); // items go with it (ON DELETE CASCADE)
      return { result: { id }, events: [{ type: 'OrderDeleted', aggregateType: 'order', aggregateId: id, payload: { id } }], liveCount: { type: 'order', delta: -1 } };
    }, idempotent);
  }
}

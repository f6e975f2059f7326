import type { OrderItemRow, OrderRow } from '../db/tables.js';
import { formatMoney } from '../money.js';
import { sqlToIso } from '../time.js';

export interface OrderItemProjection {
  product_id: number;
  name: string;
  quantity: number;
  price: string;
  total: string;
}

/** Denormalised: customer and product names are copied in, so reading an order is a single lookup. */
export interface OrderProjection {
  id: number;
  customer_id: number;
  customer_name: string;
  customer_email: string;
  order_number: string;
  total_amount: string;
  status: string;
  items: OrderItemProjection[];
  created_at: string;
  updated_at: string;
}

export const OrderProjectionBuilder = {
  /** `items` are the order's item rows, in item order. */
  fromRows(order: OrderRow, items: readonly OrderItemRow[]): OrderProjection {
    return {
      id: order.id,
      customer_id: order.customer_id,
      customer_name: order.customer_name,
      customer_email: order.customer_email,
      order_number: order.order_number,
      total_amount: formatMoney(order.total_cents),
      status: order.status,
      items: items.map((item) => ({
        product_id: item.product_id,
        name: item.product_name,
        quantity: item.quantity,
        price: formatMoney(item.unit_price_cents),
        total: formatMoney(item.unit_price_cents * item.quantity),
      })),
      created_at: sqlToIso(order.created_at),
      updated_at: sqlToIso(order.updated_at),
    };
  },

  /** Groups item rows (sorted by order) under their orders, keeping the order of `orders`. */
  fromRowSets(orders: readonly OrderRow[], items: readonly OrderItemRow[]): OrderProjection[] {
    const byOrder = new Map<number, OrderItemRow[]>();
    for (const item of items) {
      let list = byOrder.get(item.order_id);
      if (!list) byOrder.set(item.order_id, (list = []));
      list.push(item);
    }
    return orders.map((order) => OrderProjectionBuilder.fromRows(order, byOrder.get(order.id) ?? []));
  },
};

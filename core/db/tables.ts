// Table names and the row shapes knex reads, in one place.

export const Tables = {
  products: 'products',
  customers: 'customers',
  orders: 'orders',
  orderItems: 'order_items',
  events: 'events',
  eventSequence: 'event_sequence',
  aggregateCounts: 'aggregate_counts',
  writeModelIdentity: 'write_model_identity',
  idempotencyKeys: 'idempotency_keys',
} as const;

/**
 * The write model's data tables, each before the tables it references: the order to empty them in. The recorded
 * answers of idempotent commands go with the data they describe.
 */
export const DATA_TABLES_CHILDREN_FIRST = [Tables.orderItems, Tables.orders, Tables.customers, Tables.products, Tables.events, Tables.idempotencyKeys] as const;

export interface ProductRow {
  id: number;
  name: string;
  description: string;
  price_cents: number;
  created_at: string;
}

export interface CustomerRow {
  id: number;
  name: string;
  email: string;
  address: string;
  city: string;
  postal_code: string;
  country: string;
  created_at: string;
}

/** An order row joined with its customer's name and email. */
export interface OrderRow {
  id: number;
  customer_id: number;
  customer_name: string;
  customer_email: string;
  order_number: string;
  status: string;
  total_cents: number;
  created_at: string;
  updated_at: string;
}

/** An order item joined with its product's name. */
export interface OrderItemRow {
  order_id: number;
  product_id: number;
  product_name: string;
  quantity: number;
  unit_price_cents: number;
}

import type { Knex } from 'knex';

// The lists page by id over live rows. A deep OFFSET steps over every row before the page; these narrow
// indexes let it step over index entries instead (the deferred join in core/queries: page ids from the index,
// then rows by primary key). (deleted_at, id) holds the live rows in id order; orders have no soft delete, and
// an index on id alone is the same order as the primary key at a fraction of its width (no row data).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('products', (t) => t.index(['deleted_at', 'id'], 'products_live_id'));
  await knex.schema.alterTable('customers', (t) => t.index(['deleted_at', 'id'], 'customers_live_id'));
  await knex.schema.alterTable('orders', (t) => t.index(['id'], 'orders_list_id'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => t.dropIndex(['id'], 'orders_list_id'));
  await knex.schema.alterTable('customers', (t) => t.dropIndex(['deleted_at', 'id'], 'customers_live_id'));
  await knex.schema.alterTable('products', (t) => t.dropIndex(['deleted_at', 'id'], 'products_live_id'));
}

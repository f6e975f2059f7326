import type { Knex } from 'knex';

// The lists page by id over live rows. A deep OFFSET steps over every row before the page; these narrow
// indexes let it step over index entries instead (the deferred join in core/queries: page ids from the index,
// then rows by primary key). (id, deleted_at) is the list order with what tells a live row apart, so the scan
// never reads a row; id comes first so that a cursor page (id > after) is a range on it — with deleted_at first,
// MariaDB reads `deleted_at IS NULL` as a ref and steps over every live entry below the cursor. Orders have no
// soft delete: an index on id alone is the same order as the primary key at a fraction of its width.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('products', (t) => t.index(['id', 'deleted_at'], 'products_live_id'));
  await knex.schema.alterTable('customers', (t) => t.index(['id', 'deleted_at'], 'customers_live_id'));
  await knex.schema.alterTable('orders', (t) => t.index(['id'], 'orders_list_id'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => t.dropIndex(['id'], 'orders_list_id'));
  await knex.schema.alterTable('customers', (t) => t.dropIndex(['id', 'deleted_at'], 'customers_live_id'));
  await knex.schema.alterTable('products', (t) => t.dropIndex(['id', 'deleted_at'], 'products_live_id'));
}

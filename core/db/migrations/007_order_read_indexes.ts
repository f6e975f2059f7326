import type { Knex } from 'knex';

// An order read looks up the customer of each order and the product of each item by id, and only wants their names
// (and the customer's e-mail). Through the primary key every lookup reads a row of the table, text columns and
// all: at 1M products (136 MB of rows) the table outgrows MariaDB's buffer pool (128 MB by default) and the rebuild of
// the orders went to disk for nearly every other item (2,732 page reads for the 6,000 items of a batch of 2,000 orders,
// 155 of its 241 ms: orders read 3–4× slower per row than at 10k). These narrow indexes carry exactly what the reads need, a fraction of the table's size, so they stay cached
// and each lookup is covered by the index (core/queries/OrderDbQueries.ts names them in its joins).
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('products', (t) => t.index(['id', 'name'], 'products_id_name'));
  await knex.schema.alterTable('customers', (t) => t.index(['id', 'name', 'email'], 'customers_id_name_email'));
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.alterTable('customers', (t) => t.dropIndex(['id', 'name', 'email'], 'customers_id_name_email'));
  await knex.schema.alterTable('products', (t) => t.dropIndex(['id', 'name'], 'products_id_name'));
}

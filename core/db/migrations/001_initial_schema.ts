import type { Knex } from 'knex';

// Write model. Money in integer cents; timestamps DATETIME in UTC. Products and customers are soft-deleted
// (deleted_at) because orders keep referring to them: an order is a historical record and still shows the
// name of a product that is no longer sold.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('products', (t) => {
    t.increments('id').unsigned().primary();
    t.string('name', 255).notNullable();
    t.text('description').notNullable();
    t.integer('price_cents').unsigned().notNullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
    t.dateTime('deleted_at').nullable();
  });

  await knex.schema.createTable('customers', (t) => {
    t.increments('id').unsigned().primary();
    t.string('name', 255).notNullable();
    t.string('email', 255).notNullable();
    t.string('address', 255).notNullable();
    t.string('city', 100).notNullable();
    t.string('postal_code', 20).notNullable();
    t.string('country', 100).notNullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('deleted_at').nullable();
  });
  // E-mail is unique among customers that are not deleted: a generated column that is NULL once deleted
  // carries the unique index (MariaDB has no partial indexes).
  await knex.raw(
    'ALTER TABLE customers ADD COLUMN email_active VARCHAR(255) AS (IF(deleted_at IS NULL, email, NULL)) PERSISTENT, ' +
      'ADD UNIQUE INDEX customers_email_active_unique (email_active)',
  );

  await knex.schema.createTable('orders', (t) => {
    t.increments('id').unsigned().primary();
    t.integer('customer_id').unsigned().notNullable().references('id').inTable('customers');
    t.string('order_number', 64).notNullable().index();
    t.string('status', 20).notNullable();
    t.bigInteger('total_cents').unsigned().notNullable();
    t.dateTime('created_at').notNullable();
    t.dateTime('updated_at').notNullable();
  });

  await knex.schema.createTable('order_items', (t) => {
    t.increments('id').unsigned().primary();
    t.integer('order_id').unsigned().notNullable().references('id').inTable('orders').onDelete('CASCADE');
    t.integer('product_id').unsigned().notNullable().references('id').inTable('products');
    t.integer('quantity').unsigned().notNullable();
    t.integer('unit_price_cents').unsigned().notNullable();
    t.index(['order_id']);
    t.index(['product_id']);
  });

  // The outbox. Positions are handed out by event_sequence under a row lock held to commit, so they
  // appear in commit order and a reader of "position > checkpoint" never skips a late commit.
  await knex.schema.createTable('events', (t) => {
    t.bigInteger('position').unsigned().primary();
    t.string('aggregate_type', 32).notNullable();
    t.integer('aggregate_id').unsigned().notNullable();
    t.string('event_type', 64).notNullable();
    t.text('payload', 'longtext').notNullable();
    t.dateTime('occurred_at', { precision: 3 }).notNullable();
    t.index(['aggregate_type', 'position']);
    t.index(['aggregate_type', 'aggregate_id']);
  });

  await knex.schema.createTable('event_sequence', (t) => {
    t.tinyint('id').unsigned().primary();
    t.bigInteger('last_position').unsigned().notNullable();
  });
  await knex('event_sequence').insert({ id: 1, last_position: 0 });

  // Live row counts kept by the commands in the same transaction, so a list's `total` costs one
  // primary-key read instead of a COUNT(*) that grows with the table.
  await knex.schema.createTable('aggregate_counts', (t) => {
    t.string('aggregate_type', 32).primary();
    t.bigInteger('live_count').notNullable();
  });
  await knex('aggregate_counts').insert([
    { aggregate_type: 'product', live_count: 0 },
    { aggregate_type: 'customer', live_count: 0 },
    { aggregate_type: 'order', live_count: 0 },
  ]);
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['aggregate_counts', 'event_sequence', 'events', 'order_items', 'orders', 'customers', 'products']) {
    await knex.schema.dropTableIfExists(table);
  }
}

import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';

// Which write model this is: a random identity given at creation, and a generation that grows each time the
// data set is replaced (the seeder). The read model records both, so a Redis holding another database's or an
// older data set's projections is told apart from one that belongs here.
export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('write_model_identity', (t) => {
    t.tinyint('id').unsigned().primary();
    t.string('identity', 36).notNullable();
    t.integer('generation').unsigned().notNullable().defaultTo(1);
    t.dateTime('created_at').notNullable().defaultTo(knex.fn.now());
  });
  await knex('write_model_identity').insert({ id: 1, identity: randomUUID(), generation: 1 });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('write_model_identity');
}

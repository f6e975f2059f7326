import { fileURLToPath } from 'node:url';
import type { Knex } from 'knex';

/**
 * knex's own convention: every file of the migrations folder is a migration, applied in name order. The
 * compiled build reads dist/core/db/migrations/*.js; the knexfile (./knexfile.ts) gives knex's CLI the same.
 */
export const MIGRATIONS: Knex.MigratorConfig = {
  directory: fileURLToPath(new URL('./migrations/', import.meta.url)),
  loadExtensions: ['.js'],
};

// Recorded without their extension by the hand-kept list that came before the folder; knex names files with it.
const NAMED_WITHOUT_EXTENSION = ['001_initial_schema'];

async function renameOldMigrationRecords(knex: Knex): Promise<void> {
  const table = MIGRATIONS.tableName ?? 'knex_migrations';
  if (!(await knex.schema.hasTable(table))) return;
  await knex(table).whereIn('name', NAMED_WITHOUT_EXTENSION).update({ name: knex.raw("CONCAT(name, '.js')") });
}

/** Applies pending migrations; returns the names applied. */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  await renameOldMigrationRecords(knex);
  const [, applied] = (await knex.migrate.latest(MIGRATIONS)) as [number, string[]];
  return applied;
}

export async function migrateRollbackAll(knex: Knex): Promise<void> {
  await renameOldMigrationRecords(knex);
  await knex.migrate.rollback(MIGRATIONS, true);
}

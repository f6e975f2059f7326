import type { Knex } from 'knex';
import * as initialSchema from './migrations/001_initial_schema.js';

interface Migration {
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

// Migrations are listed here rather than found on disk, so the compiled build needs no path lookup.
const migrations: ReadonlyArray<readonly [string, Migration]> = [['001_initial_schema', initialSchema]];

const migrationSource: Knex.MigrationSource<Migration> = {
  getMigrations: async () => migrations.map(([, m]) => m),
  getMigrationName: (migration) => migrations.find(([, m]) => m === migration)![0],
  getMigration: async (migration) => migration,
};

/** Applies pending migrations; returns the names applied. */
export async function migrateLatest(knex: Knex): Promise<string[]> {
  const [, applied] = (await knex.migrate.latest({ migrationSource })) as [number, string[]];
  return applied;
}

export async function migrateRollbackAll(knex: Knex): Promise<void> {
  await knex.migrate.rollback({ migrationSource }, true);
}

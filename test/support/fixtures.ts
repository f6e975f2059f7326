import { createApplication, type Application } from '../../core/app.js';
import { ensureServices } from '../../cli/services.js';
import { loadConfig, type Config } from '../../core/config.js';
import { createKnex, dropDatabase, ensureDatabase } from '../../core/db/connection.js';
import { migrateLatest } from '../../core/db/migrate.js';
import { DATA_TABLES_CHILDREN_FIRST, Tables } from '../../core/db/tables.js';
import { silentLogger } from '../../core/logger.js';
import { connectRedis, createRedis, deleteKeysWithPrefix } from '../../core/redis/connection.js';
import { Seeder } from '../../core/seed/Seeder.js';

let prepared: Promise<void> | undefined;

/**
 * Once per test run: the services must answer (started if need be, or the run fails with the reason),
 * the test database is recreated from the migrations, and the test's Redis keys (its prefix) deleted (a lock left
 * by a runtime killed mid-rebuild in an earlier run would block rebuilds for minutes).
 */
export function prepareTestDatabase(): Promise<void> {
  prepared ??= (async () => {
    const config = loadConfig();
    await ensureServices(config);
    await dropDatabase(config.mysqlUrl);
    await ensureDatabase(config.mysqlUrl);
    const knex = createKnex(config.mysqlUrl, { poolMax: 1 });
    try {
      await migrateLatest(knex);
    } finally {
      await knex.destroy();
    }
    const redis = createRedis(config.redisUrl, { lazy: true });
    try {
      await connectRedis(redis);
      await deleteKeysWithPrefix(redis, config.redisPrefix);
    } finally {
      redis.disconnect();
    }
  })();
  return prepared;
}

/** An application on the test database and Redis index, connected. */
export async function createTestApp(overrides: Partial<Config> = {}): Promise<Application> {
  await prepareTestDatabase();
  const app = createApplication({ ...loadConfig(), ...overrides }, { logger: silentLogger });
  await connectRedis(app.redis);
  return app;
}

/** Empties the write model (tables, outbox, counters) and the read model (projections, checkpoint). */
export async function resetData(app: Application): Promise<void> {
  await app.knex.transaction(async (trx) => {
    await trx.raw('SET FOREIGN_KEY_CHECKS = 0');
    for (const table of DATA_TABLES_CHILDREN_FIRST) {
      await trx.raw(`TRUNCATE TABLE \`${table}\``);
    }
    await trx.raw('SET FOREIGN_KEY_CHECKS = 1');
  });
  await app.knex(Tables.eventSequence).update({ last_position: 0 });
  await app.knex(Tables.aggregateCounts).update({ live_count: 0 });
  await app.projector.reset();
}

/** A small deterministic data set, projections rebuilt. */
export async function seedSmall(app: Application, sizes = { products: 30, customers: 10, orders: 40, itemsPerOrder: 3, seed: 7 }): Promise<void> {
  await new Seeder(app.knex, 25).seed(sizes);
  await app.projector.reset();
  await rebuildAllWhenFree(app);
}

/**
 * A full rebuild, waiting its turn: a runtime under test may be rebuilding the read model by itself (its keeper
 * saw the data set change), and a second rebuild of an entity is refused while one runs.
 */
export async function rebuildAllWhenFree(app: Application): Promise<void> {
  for (const deadline = Date.now() + 30_000; ;) {
    try {
      await app.rebuilder.rebuildAll();
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== 'CONFLICT' || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

import { AGGREGATE_TYPES, createApplication, entityOf, liveCount, loadConfig, originalKeys } from '../core/index.js';
import { runCli } from './cli.js';
import { migrate } from './migrate.js';
import { printRebuildResults, rebuildOriginalLayout, rebuildProjections } from './rebuild.js';
import { seedDataSet } from './seed.js';

// Before a benchmark: data in MySQL (seeded at the configured sizes when empty), projections that match it
// (rebuilt when a count differs), and the original demo's layout for the read-mode cells.
runCli(async () => {
  const config = loadConfig();
  await migrate(config.mysqlUrl);
  const app = createApplication(config);
  try {
    await app.connectRedis();
    if ((await liveCount(app.knex, 'product')) === 0) {
      console.log('prepare: the database is empty; seeding the configured data set');
      await seedDataSet(app);
    }
    const counts = await Promise.all(AGGREGATE_TYPES.map(async (type) => ({
      type,
      db: await liveCount(app.knex, type),
      projection: await app.repositories[type].count(),
      original: await app.redis.scard(originalKeys(config.redisPrefix, type).ids),
    })));
    for (const c of counts) console.log(`prepare: ${entityOf(c.type).plural}: ${c.db} in MySQL, ${c.projection} projections, ${c.original} in the original layout`);
    await app.projector.catchUp();
    if (counts.some((c) => c.projection !== c.db)) printRebuildResults(await rebuildProjections(app, 'all'));
    if (counts.some((c) => c.original !== c.db)) await rebuildOriginalLayout(app);
  } finally {
    await app.close();
  }
});

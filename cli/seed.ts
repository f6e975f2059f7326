import { createApplication, loadConfig, Seeder, type Application } from '../core/index.js';
import { runCli } from './cli.js';
import { migrate } from './migrate.js';
import { createProgress } from './progress.js';
import { printRebuildResults, rebuildProjections } from './rebuild.js';

/**
 * Replaces the data set with a deterministic one of the configured sizes, with progress, and forgets the
 * projections (the seeder writes rows, not events: they must be rebuilt).
 */
export async function seedDataSet(app: Application): Promise<void> {
  const { config } = app;
  const { products, customers, orders, itemsPerOrder, seed } = config.seed;
  console.log(`seed: ${products} products, ${customers} customers, ${orders} orders × ${itemsPerOrder} items (SEED=${seed})`);
  const progress = createProgress();
  const result = await new Seeder(app.knex, config.seedBatchSize)
    .seed(config.seed, (p) => progress.update(p.table, p.done, p.total))
    .finally(() => progress.stop());
  const rows = result.products + result.customers + result.orders + result.orderItems;
  console.log(`seed: ${rows} rows (${result.orderItems} order items) in ${(result.ms / 1000).toFixed(2)} s (${Math.round((rows / result.ms) * 1000)} rows/s)`);
  await app.projector.reset();
}

// `make seed`: the data set, then every projection rebuilt; `--no-rebuild` leaves the projections empty.
if (import.meta.url === `file://${process.argv[1]}`) runCli(async () => {
  const config = loadConfig();
  await migrate(config.mysqlUrl);
  const app = createApplication(config);
  try {
    await app.connectRedis();
    await seedDataSet(app);
    if (process.argv.includes('--no-rebuild')) {
      console.log('seed: projections left empty (--no-rebuild); run `make rebuild-projections`');
      return;
    }
    printRebuildResults(await rebuildProjections(app, 'all'));
  } finally {
    await app.close();
  }
});

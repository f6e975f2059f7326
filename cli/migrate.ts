import { createKnex, ensureDatabase, loadConfig, migrateLatest, splitMysqlUrl } from '../core/index.js';
import { runCli } from './cli.js';

/** Creates the database if needed and applies pending migrations. */
export async function migrate(mysqlUrl: string): Promise<string[]> {
  await ensureDatabase(mysqlUrl);
  const knex = createKnex(mysqlUrl, { poolMax: 1 });
  try {
    return await migrateLatest(knex);
  } finally {
    await knex.destroy();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  runCli(async () => {
    const { mysqlUrl } = loadConfig();
    const applied = await migrate(mysqlUrl);
    console.log(`migrate: database ${splitMysqlUrl(mysqlUrl).database} is up to date${applied.length ? ` (applied ${applied.join(', ')})` : ''}`);
  });
}

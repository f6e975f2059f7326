import { ensureServices } from '../../cli/services.js';
import { loadConfig, splitMysqlUrl } from '../../core/config.js';
import { createKnex, ensureDatabase } from '../../core/db/connection.js';
import { migrateLatest } from '../../core/db/migrate.js';

// Root hooks: before anything runs, the services must answer (started if need be, or the run fails with
// the reason), and the test database is recreated from the migrations.
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    this.timeout(120_000);
    const config = loadConfig();
    await ensureServices(config);
    const { database } = splitMysqlUrl(config.mysqlUrl);
    const server = createKnex(config.mysqlUrl, { withoutDatabase: true, poolMax: 1 });
    try {
      await server.raw(`DROP DATABASE IF EXISTS \`${database}\``);
    } finally {
      await server.destroy();
    }
    await ensureDatabase(config.mysqlUrl);
    const knex = createKnex(config.mysqlUrl, { poolMax: 1 });
    try {
      await migrateLatest(knex);
    } finally {
      await knex.destroy();
    }
  },
};

// The configuration knex's own CLI reads (MYSQL_URL's database, the compiled migrations):
//   npx knex --knexfile dist/core/db/knexfile.js migrate:status     (make migrate-status)
import type { Knex } from 'knex';
import { loadConfig } from '../config.js';
import { mysqlConnectionSettings } from './connection.js';
import { MIGRATIONS } from './migrate.js';

const config: Knex.Config = {
  client: 'mysql2',
  connection: mysqlConnectionSettings(loadConfig().mysqlUrl),
  pool: { min: 0, max: 1 },
  migrations: MIGRATIONS,
};

export default config;

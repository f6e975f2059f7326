import knexFactory, { type Knex } from 'knex';
import { splitMysqlUrl } from '../config.js';

export interface MysqlOptions {
  readonly poolMax?: number;
  readonly poolMin?: number;
  /** Connect to the server without selecting the database (to create it). */
  readonly withoutDatabase?: boolean;
}

export function mysqlConnectionSettings(mysqlUrl: string, withoutDatabase = false): Knex.MySql2ConnectionConfig {
  const url = new URL(mysqlUrl);
  const { database } = splitMysqlUrl(mysqlUrl);
  return {
    host: url.hostname || '127.0.0.1',
    port: url.port ? Number(url.port) : 3306,
    user: decodeURIComponent(url.username || 'root'),
    password: decodeURIComponent(url.password),
    ...(withoutDatabase ? {} : { database }),
    charset: 'utf8mb4',
    timezone: 'Z',
    // DATETIME columns come back as strings: no Date objects on the read path (see core/time.ts).
    dateStrings: true,
    supportBigNumbers: true,
    connectTimeout: 3_000,
  };
}

export function createKnex(mysqlUrl: string, options: MysqlOptions = {}): Knex {
  return knexFactory({
    client: 'mysql2',
    connection: mysqlConnectionSettings(mysqlUrl, options.withoutDatabase),
    pool: { min: options.poolMin ?? 0, max: options.poolMax ?? 10 },
    acquireConnectionTimeout: 5_000,
    asyncStackTraces: false,
  });
}

/** DROP DATABASE IF EXISTS for the database MYSQL_URL names. */
export async function dropDatabase(mysqlUrl: string): Promise<void> {
  const { database } = splitMysqlUrl(mysqlUrl);
  const server = createKnex(mysqlUrl, { withoutDatabase: true, poolMax: 1 });
  try {
    await server.raw(`DROP DATABASE IF EXISTS \`${database}\``);
  } finally {
    await server.destroy();
  }
}

/** CREATE DATABASE IF NOT EXISTS for the database MYSQL_URL names. */
export async function ensureDatabase(mysqlUrl: string): Promise<void> {
  const { database } = splitMysqlUrl(mysqlUrl);
  const server = createKnex(mysqlUrl, { withoutDatabase: true, poolMax: 1 });
  try {
    await server.raw(`CREATE DATABASE IF NOT EXISTS \`${database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await server.destroy();
  }
}

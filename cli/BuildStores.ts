// A command compared across builds writes rows. Each build gets a database of its own, created by that build's
// own migrations (a base from before a schema change runs on the schema it was written for), and a Redis key
// prefix of its own; both are removed afterwards, so a comparison leaves the bench's data set as it was.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { connectRedis, createRedis, deleteKeysWithPrefix, dropDatabase, splitMysqlUrl, type Config } from '../core/index.js';

export interface BuildStores {
  /** MYSQL_URL and REDIS_PREFIX for the build's runtime. */
  readonly env: Readonly<Record<string, string>>;
  readonly database: string;
  remove(): Promise<void>;
}

/** `slug`: letters, digits and _ (a commit's short sha, say), part of the database name and the key prefix. */
export async function createBuildStores(config: Config, buildRoot: string, slug: string): Promise<BuildStores> {
  if (!/^[A-Za-z0-9_]+$/.test(slug)) throw new Error(`build stores: the slug must be letters, digits and _ (got ${slug})`);
  const url = new URL(config.mysqlUrl);
  const database = `${splitMysqlUrl(config.mysqlUrl).database}_compare_${slug}`;
  url.pathname = `/${database}`;
  const env = { MYSQL_URL: url.toString(), REDIS_PREFIX: `${config.redisPrefix}compare:${slug}:` };
  const remove = async () => {
    await dropDatabase(env.MYSQL_URL);
    const redis = createRedis(config.redisUrl, { lazy: true });
    try {
      await connectRedis(redis);
      await deleteKeysWithPrefix(redis, env.REDIS_PREFIX);
    } finally {
      redis.disconnect();
    }
  };
  await remove(); // what a comparison stopped midway left
  execFileSync(process.execPath, [join(buildRoot, 'dist', 'cli', 'migrate.js')], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit'] });
  return { env, database, remove };
}

import type { Application } from '../../core/app.js';
import { BATCH_READERS } from '../../core/queries/DbQueries.js';

const ALL = 2_000_000_000;

/** What the builders make of the MySQL rows: the read model as it should be. */
export async function expectedReadModel(app: Application) {
  return {
    products: await BATCH_READERS.product(app.knex, 0, ALL),
    customers: await BATCH_READERS.customer(app.knex, 0, ALL),
    orders: await BATCH_READERS.order(app.knex, 0, ALL),
  };
}

/** The read model as it is in Redis. */
export async function actualReadModel(app: Application) {
  return {
    products: await app.repositories.product.all(),
    customers: await app.repositories.customer.all(),
    orders: await app.repositories.order.all(),
  };
}

/** Every Redis key of the test prefix with its full content, to compare states byte for byte. */
export async function redisDump(app: Application): Promise<Record<string, unknown>> {
  const keys = (await app.redis.keys(`${app.config.redisPrefix}*`)).sort();
  const dump: Record<string, unknown> = {};
  for (const key of keys) {
    const type = await app.redis.type(key);
    if (type === 'hash') {
      const entries = await app.redis.hgetallBuffer(key);
      dump[key] = Object.fromEntries(Object.entries(entries).sort(([a], [b]) => Number(a) - Number(b)).map(([k, v]) => [k, v.toString('base64')]));
    } else if (type === 'zset') {
      dump[key] = await app.redis.zrange(key, '0', '-1', 'WITHSCORES');
    } else {
      dump[key] = await app.redis.get(key);
    }
  }
  return dump;
}

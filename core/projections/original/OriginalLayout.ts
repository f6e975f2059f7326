import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import { BATCH_READERS } from '../../queries/DbQueries.js';
import { entityOf, type AggregateType } from '../../model/catalogue.js';

// The original demo's Redis layout, reproduced to measure its read path (PROJECTION_READS=original…):
//   {prefix}original:{entity}:{id}    string  JSON of the entity
//   {prefix}original:{entity}:ids     set     every id (what the original read with SMEMBERS)
//   {prefix}original:{entity}:order   zset    ids by id (only the "paged" stage uses it)
// Written by `make rebuild-original` from MySQL; the projector does not maintain it (benchmark use only).

export function originalKeys(prefix: string, type: AggregateType) {
  const base = `${prefix}original:${entityOf(type).plural}`;
  return { item: (id: number | string) => `${base}:${id}`, ids: `${base}:ids`, order: `${base}:order` };
}

/** Writes the original layout of one entity from MySQL, replacing what was there; returns the count. */
export async function writeOriginalLayout(knex: Knex, redis: Redis, prefix: string, type: AggregateType, batchSize: number,
  onProgress?: (done: number) => void): Promise<number> {
  const keys = originalKeys(prefix, type);
  const old = await redis.smembers(keys.ids);
  for (let i = 0; i < old.length; i += 1000) await redis.unlink(...old.slice(i, i + 1000).map(keys.item));
  await redis.unlink(keys.ids, keys.order);
  let count = 0;
  for (let afterId = 0; ;) {
    const batch: { id: number }[] = await BATCH_READERS[type](knex, afterId, batchSize);
    if (batch.length === 0) break;
    const pipeline = redis.pipeline();
    for (const entity of batch) pipeline.set(keys.item(entity.id), JSON.stringify(entity));
    pipeline.sadd(keys.ids, ...batch.map((e) => e.id));
    pipeline.zadd(keys.order, ...batch.flatMap((e) => [e.id, e.id]));
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
    count += batch.length;
    afterId = batch[batch.length - 1]!.id;
    onProgress?.(count);
    if (batch.length < batchSize) break;
  }
  return count;
}

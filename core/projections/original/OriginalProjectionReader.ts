import type { Redis } from 'ioredis';
import type { ProjectionReads } from '../../config.js';
import { notFound } from '../../errors.js';
import type { Page, PageRequest } from '../../pagination.js';
import type { EntityQueries } from '../../model/EntityQueries.js';
import type { AggregateType } from '../../model/catalogue.js';
import { createRedis, connectRedis } from '../../redis/connection.js';
import { originalKeys } from './OriginalLayout.js';

type Stage = Exclude<ProjectionReads, 'default'>;

// The original demo's projection reads, by stage; each stage removes one cause of slowness:
//   original         a new Redis connection per request, SMEMBERS of every id, one GET per id, whole list,
//                    every row JSON-decoded into an object with Date objects, then serialised again
//   original-mget    … one MGET instead of a GET per id
//   original-pooled  … on the process's shared connection instead of a new one
//   original-paged   … only the requested page (ZRANGE), not the whole list
// The default read path (ProjectionService) then stores compact msgpack, decoded straight into plain objects
// (no Date hydration) and serialised once to JSON, and reads a page in one round trip.

const DATE_FIELDS = ['created_at', 'updated_at'] as const;

/** JSON → an object with Date fields, as the original's denormaliser built entities. */
function hydrate(json: string): Record<string, unknown> {
  const entity = JSON.parse(json) as Record<string, unknown>;
  for (const field of DATE_FIELDS) if (typeof entity[field] === 'string') entity[field] = new Date(entity[field] as string);
  return entity;
}

/** Back to the wire format (ISO 8601 without milliseconds, as every other read path answers). */
function serialise(entity: Record<string, unknown>): Record<string, unknown> {
  const out = { ...entity };
  for (const field of DATE_FIELDS) if (out[field] instanceof Date) out[field] = (out[field] as Date).toISOString().replace('.000Z', 'Z');
  return out;
}

export class OriginalProjectionReader<T extends { id: number }> implements EntityQueries<T> {
  private readonly keys;

  constructor(private readonly shared: Redis, private readonly redisUrl: string, prefix: string,
    private readonly type: AggregateType, private readonly stage: Stage) {
    this.keys = originalKeys(prefix, type);
  }

  async get(id: number): Promise<T> {
    const value = await this.withConnection((redis) => redis.get(this.keys.item(id)));
    if (value === null) throw notFound(this.type, id);
    return serialise(hydrate(value)) as unknown as T;
  }

  async list(request: PageRequest): Promise<Page<T>> {
    return this.withConnection(async (redis) => {
      let ids: string[];
      let total: number;
      if (this.stage === 'original-paged') {
        const start = request.kind === 'offset' ? request.offset : 0;
        ids = request.kind === 'after'
          ? await redis.zrangebyscore(this.keys.order, `(${request.after}`, '+inf', 'LIMIT', 0, request.limit)
          : await redis.zrange(this.keys.order, String(start), String(start + request.limit - 1));
        total = await redis.zcard(this.keys.order);
      } else {
        // The whole set, whatever the page asked for: the original had no paging.
        ids = (await redis.smembers(this.keys.ids)).sort((a, b) => Number(a) - Number(b));
        total = ids.length;
      }
      let values: (string | null)[];
      if (this.stage === 'original') {
        values = [];
        for (const id of ids) values.push(await redis.get(this.keys.item(id)));
      } else {
        values = ids.length === 0 ? [] : await redis.mget(...ids.map(this.keys.item));
      }
      const items = values.filter((v): v is string => v !== null).map((v) => serialise(hydrate(v)) as unknown as T);
      return { items, total };
    });
  }

  private async withConnection<R>(work: (redis: Redis) => Promise<R>): Promise<R> {
    if (this.stage !== 'original' && this.stage !== 'original-mget') return work(this.shared);
    const redis = createRedis(this.redisUrl);
    try {
      await connectRedis(redis);
      return await work(redis);
    } finally {
      redis.disconnect();
    }
  }
}

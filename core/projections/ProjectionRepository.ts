import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import type { Page, PageRequest, PageText } from '../pagination.js';
import type { ProjectionCodec } from './ProjectionCodec.js';
import type { ProjectionKeys, ProjectionKeySet } from './ProjectionKeys.js';

// Upsert or delete guarded by the outbox position: a write older than (or equal to) what the key already
// reflects is dropped, so events can be applied twice, late or out of order without going back in time.
const APPLY_SCRIPT = `
local current = tonumber(redis.call('HGET', KEYS[2], ARGV[1]) or '0')
if current >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
if ARGV[3] == '' then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
else
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  redis.call('ZADD', KEYS[3], ARGV[1], ARGV[1])
end
return 1`;

// The ids of a page: by cursor (the ids after ARGV[2]) or by offset (ARGV[2]), at most ARGV[3] of them.
const PAGE_IDS = `
local ids
if ARGV[1] == 'after' then
  ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[2], '+inf', 'LIMIT', 0, ARGV[3])
else
  ids = redis.call('ZRANGE', KEYS[1], ARGV[2], tonumber(ARGV[2]) + tonumber(ARGV[3]) - 1)
end`;

// One round trip for a page: the ids of the page, the total and the projections, read atomically.
const PAGE_SCRIPT = `${PAGE_IDS}
local result = { redis.call('ZCARD', KEYS[1]) }
for i = 1, #ids, 1000 do
  local chunk = redis.call('HMGET', KEYS[2], unpack(ids, i, math.min(i + 999, #ids)))
  for j = 1, #chunk do
    if chunk[j] then result[#result + 1] = chunk[j] end
  end
end
return result`;

// The same page for the text path: the total, the id of the last projection returned (0 when none: ids start
// at 1), then the projections. The id is what a page's next_after needs without decoding the last projection.
const PAGE_TEXT_SCRIPT = `${PAGE_IDS}
local result = { redis.call('ZCARD', KEYS[1]), 0 }
local last = 0
for i = 1, #ids, 1000 do
  local chunk = redis.call('HMGET', KEYS[2], unpack(ids, i, math.min(i + 999, #ids)))
  for j = 1, #chunk do
    if chunk[j] then
      result[#result + 1] = chunk[j]
      last = ids[i + j - 1]
    end
  end
end
result[2] = tonumber(last)
return result`;

// Swaps a rebuilt key set in for the live one in one atomic step; the old values are freed in the background.
const SWAP_SCRIPT = `
for i = 1, 3 do
  redis.call('UNLINK', KEYS[i])
  if redis.call('EXISTS', KEYS[i + 3]) == 1 then redis.call('RENAME', KEYS[i + 3], KEYS[i]) end
end
return 1`;

/**
 * The page scripts go to Redis at once even with REDIS_AUTO_PIPELINING: a page is one round trip carrying its 50
 * values, so sharing a write saves it little, and queued behind a turn's gets it costs pages 20–46% (measured,
 * README "The data path's own knobs").
 */
export const PAGE_SCRIPTS: readonly string[] = ['projectionPage', 'projectionPageText'];

interface ScriptCommands {
  projectionApply(data: string, ver: string, ids: string, id: number, version: number, blob: Buffer | string): Promise<number>;
  projectionPageBuffer(ids: string, data: string, mode: 'after' | 'offset', start: number, limit: number): Promise<[number, ...Buffer[]]>;
  projectionPageText(ids: string, data: string, mode: 'after' | 'offset', start: number, limit: number): Promise<[number, number, ...string[]]>;
  projectionSwap(...keys: string[]): Promise<number>;
}

function withScripts(redis: Redis): Redis & ScriptCommands {
  if (!('projectionApply' in redis)) {
    redis.defineCommand('projectionApply', { numberOfKeys: 3, lua: APPLY_SCRIPT });
    redis.defineCommand('projectionPage', { numberOfKeys: 2, lua: PAGE_SCRIPT });
    redis.defineCommand('projectionPageText', { numberOfKeys: 2, lua: PAGE_TEXT_SCRIPT });
    redis.defineCommand('projectionSwap', { numberOfKeys: 6, lua: SWAP_SCRIPT });
  }
  return redis as Redis & ScriptCommands;
}

export interface VersionedWrite<T> {
  readonly id: number;
  /** Outbox position this state reflects. */
  readonly version: number;
  /** The new state, or null for a deletion. */
  readonly projection: T | null;
}

/**
 * A stored value that is not a projection in the running encoding: a read model stored in the other encoding,
 * which the keeper rebuilds (other-encoding). Until its swap, a 503 rather than a 500 or bytes that are not JSON.
 */
function notInEncoding(id: number | string, encoding: string): AppError {
  return new AppError('SERVICE_UNAVAILABLE', `The projection ${id} is not stored as ${encoding}: the read model is in another encoding and is being rebuilt; retry shortly`);
}

/** Redis I/O of one entity's projections (values encoded by `codec`). It knows keys, not HTTP nor SQL. */
export class ProjectionRepository<T extends { id: number }> {
  private readonly redis: Redis & ScriptCommands;

  constructor(redis: Redis, readonly keys: ProjectionKeys, readonly codec: ProjectionCodec) {
    this.redis = withScripts(redis);
  }

  /** One round trip (HGET). */
  async get(id: number): Promise<T | null> {
    const blob = await this.redis.hgetBuffer(this.keys.live.data, String(id));
    return blob ? this.decode(blob, id) : null;
  }

  /** One round trip (a script doing ZRANGE, ZCARD and HMGET). */
  async page(request: PageRequest): Promise<Page<T>> {
    const { ids, data } = this.keys.live;
    const [total, ...blobs] = request.kind === 'after'
      ? await this.redis.projectionPageBuffer(ids, data, 'after', request.after, request.limit)
      : await this.redis.projectionPageBuffer(ids, data, 'offset', request.offset, request.limit);
    return { items: blobs.map((b) => this.decode(b, 'in this page')), total: Number(total) };
  }

  /** The stored JSON text of a projection, undecoded (json encoding only). One round trip (HGET). */
  async getText(id: number): Promise<string | null> {
    this.expectJson();
    const text = await this.redis.hget(this.keys.live.data, String(id));
    if (text !== null && text.charCodeAt(0) !== 0x7b) throw notInEncoding(id, 'JSON text');
    return text;
  }

  /** A page of stored JSON texts, undecoded, with the last one's id (json encoding only). One round trip. */
  async pageText(request: PageRequest): Promise<PageText> {
    this.expectJson();
    const { ids, data } = this.keys.live;
    const [total, lastId, ...texts] = request.kind === 'after'
      ? await this.redis.projectionPageText(ids, data, 'after', request.after, request.limit)
      : await this.redis.projectionPageText(ids, data, 'offset', request.offset, request.limit);
    for (const text of texts) if (text.charCodeAt(0) !== 0x7b) throw notInEncoding(`in this page`, 'JSON text');
    return { texts, total: Number(total), lastId: lastId > 0 ? lastId : undefined };
  }

  /** Applies version-guarded writes in one pipeline; returns how many changed something. */
  async apply(writes: readonly VersionedWrite<T>[], target: ProjectionKeySet = this.keys.live): Promise<number> {
    if (writes.length === 0) return 0;
    const pipeline = this.redis.pipeline() as unknown as ScriptCommands & { exec(): Promise<[Error | null, unknown][] | null> };
    for (const w of writes) {
      pipeline.projectionApply(target.data, target.ver, target.ids, w.id, w.version, w.projection ? this.codec.encode(w.projection) : '');
    }
    const results = (await pipeline.exec()) ?? [];
    let changed = 0;
    for (const [error, value] of results) {
      if (error) throw error;
      changed += Number(value);
    }
    return changed;
  }

  /** Bulk write of a rebuild batch into the rebuild key set, all at one version, in one pipeline. */
  async writeRebuildBatch(projections: readonly T[], version: number): Promise<void> {
    if (projections.length === 0) return;
    const { data, ver, ids } = this.keys.rebuild;
    const dataArgs: (string | Buffer)[] = [];
    const verArgs: string[] = [];
    const idArgs: string[] = [];
    for (const p of projections) {
      const id = String(p.id);
      dataArgs.push(id, this.codec.encode(p));
      verArgs.push(id, String(version));
      idArgs.push(id, id);
    }
    const results = await this.redis.pipeline().hset(data, ...dataArgs).hset(ver, ...verArgs).zadd(ids, ...idArgs).exec();
    for (const [error] of results ?? []) if (error) throw error;
  }

  async clearRebuild(): Promise<void> {
    const { data, ver, ids } = this.keys.rebuild;
    await this.redis.unlink(data, ver, ids);
  }

  async swapInRebuild(): Promise<void> {
    const { live, rebuild } = this.keys;
    await this.redis.projectionSwap(live.data, live.ver, live.ids, rebuild.data, rebuild.ver, rebuild.ids);
  }

  async count(): Promise<number> {
    return this.redis.zcard(this.keys.live.ids);
  }

  /** Every live projection, by id (for tests and checks, not for the request path). */
  async all(): Promise<T[]> {
    return (await this.page({ kind: 'offset', offset: 0, limit: 2_000_000_000 })).items;
  }

  /**
   * Every stored projection by id, whatever is stored: a value that does not decode comes back as an Error
   * (for checks that must report a corrupt projection, not stop at it).
   */
  async stored(): Promise<Map<number, T | Error>> {
    const entries = await this.redis.hgetallBuffer(this.keys.live.data);
    const stored = new Map<number, T | Error>();
    for (const [id, blob] of Object.entries(entries)) {
      try {
        stored.set(Number(id), this.codec.decode<T>(blob));
      } catch (err) {
        stored.set(Number(id), err as Error);
      }
    }
    return stored;
  }

  /** A value read for a request: one that does not decode is a read model being rebuilt in this encoding (503). */
  private decode(blob: Buffer, id: number | string): T {
    try {
      return this.codec.decode<T>(blob);
    } catch {
      throw notInEncoding(id, this.codec.encoding);
    }
  }

  private expectJson(): void {
    if (this.codec.encoding !== 'json') throw new Error(`the text reads need PROJECTION_ENCODING=json; ${this.keys.live.data} holds ${this.codec.encoding}`);
  }

  /** Removes the live key set (used when the write model is wiped, e.g. by the seeder). */
  async clear(): Promise<void> {
    const { live, rebuild } = this.keys;
    await this.redis.unlink(live.data, live.ver, live.ids, rebuild.data, rebuild.ver, rebuild.ids);
  }
}

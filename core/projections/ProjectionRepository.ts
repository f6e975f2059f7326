import type { Redis } from 'ioredis';
import { readModelRebuilding } from '../errors.js';
import { FENCE, type Lease } from '../redis/Lease.js';
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

// A read that found nothing trusts it only while the read model's identity is there: Redis emptied, or a read model
// withdrawn by the keeper (another write model, data set or encoding), is being rebuilt, and an absent id proves
// nothing. Returns the value, 0 (absent, trusted) or -1 (not to be trusted). Run only after a plain HGET missed.
const MISS_SCRIPT = `
local value = redis.call('HGET', KEYS[1], ARGV[1])
if value then return value end
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
return -1`;

// The page scripts answer {-1} when the read model's identity (KEYS[3]) is absent: that page cannot be trusted.
const PAGE_TRUSTED = `
if redis.call('EXISTS', KEYS[3]) == 0 then return { -1 } end`;

// The ids of a page: by cursor (the ids after ARGV[2]) or by offset (ARGV[2]), at most ARGV[3] of them.
const PAGE_IDS = `
local ids
if ARGV[1] == 'after' then
  ids = redis.call('ZRANGEBYSCORE', KEYS[1], '(' .. ARGV[2], '+inf', 'LIMIT', 0, ARGV[3])
else
  ids = redis.call('ZRANGE', KEYS[1], ARGV[2], tonumber(ARGV[2]) + tonumber(ARGV[3]) - 1)
end`;

// One round trip for a page: the ids of the page, the total and the projections, read atomically.
const PAGE_SCRIPT = `${PAGE_TRUSTED}${PAGE_IDS}
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
const PAGE_TEXT_SCRIPT = `${PAGE_TRUSTED}${PAGE_IDS}
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

// A rebuild batch into the rebuild key set, all at one version (ARGV[2]), fenced by the rebuild lease (KEYS[1],
// ARGV[1]): a rebuilder that lost its lease cannot write into the set of the one that took it over.
const REBUILD_WRITE_SCRIPT = `${FENCE}
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[2])
  redis.call('ZADD', KEYS[4], ARGV[i], ARGV[i])
end
return 1`;

// Swaps a rebuilt key set in for the live one in one atomic step, fenced by the rebuild lease (KEYS[1], ARGV[1]);
// the old values are freed in the background.
const SWAP_SCRIPT = `${FENCE}
for i = 2, 4 do
  redis.call('UNLINK', KEYS[i])
  if redis.call('EXISTS', KEYS[i + 3]) == 1 then redis.call('RENAME', KEYS[i + 3], KEYS[i]) end
end
return 1`;

/**
 * The page scripts go to Redis at once even with REDIS_AUTO_PIPELINING: a page is one round trip carrying its 50
 * values, so sharing a write saves it little, and queued behind a turn's gets it costs pages 20–46% (measured,
 * docs/benchmarking.md, "The data path's own knobs").
 */
export const PAGE_SCRIPTS: readonly string[] = ['projectionPage', 'projectionPageText'];

interface ScriptCommands {
  projectionApply(data: string, ver: string, ids: string, id: number, version: number, blob: Buffer | string): Promise<number>;
  projectionMissBuffer(data: string, identity: string, id: number): Promise<Buffer | number>;
  projectionMiss(data: string, identity: string, id: number): Promise<string | number>;
  projectionPageBuffer(ids: string, data: string, identity: string, mode: 'after' | 'offset', start: number, limit: number): Promise<[number, ...Buffer[]]>;
  projectionPageText(ids: string, data: string, identity: string, mode: 'after' | 'offset', start: number, limit: number): Promise<[number, number, ...string[]]>;
  projectionRebuildWrite(lease: string, data: string, ver: string, ids: string, token: string, version: number, ...pairs: (string | Buffer)[]): Promise<number>;
  projectionSwap(lease: string, data: string, ver: string, ids: string, rebuildData: string, rebuildVer: string, rebuildIds: string, token: string): Promise<number>;
}

function withScripts(redis: Redis): Redis & ScriptCommands {
  if (!('projectionApply' in redis)) {
    redis.defineCommand('projectionApply', { numberOfKeys: 3, lua: APPLY_SCRIPT });
    redis.defineCommand('projectionMiss', { numberOfKeys: 2, lua: MISS_SCRIPT });
    redis.defineCommand('projectionPage', { numberOfKeys: 3, lua: PAGE_SCRIPT });
    redis.defineCommand('projectionPageText', { numberOfKeys: 3, lua: PAGE_TEXT_SCRIPT });
    redis.defineCommand('projectionRebuildWrite', { numberOfKeys: 4, lua: REBUILD_WRITE_SCRIPT });
    redis.defineCommand('projectionSwap', { numberOfKeys: 7, lua: SWAP_SCRIPT });
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
 * which the keeper rebuilds (other-encoding). Until its swap, read from MySQL instead, never a 500 or bytes that are
 * not JSON.
 */
function notInEncoding(id: number | string, encoding: string) {
  return readModelRebuilding(`projection ${id} is not stored as ${encoding}`);
}

const UNTRUSTED = 'Redis holds no read model of this write model';

/** Redis I/O of one entity's projections (values encoded by `codec`). It knows keys, not HTTP nor SQL. */
export class ProjectionRepository<T extends { id: number }> {
  private readonly redis: Redis & ScriptCommands;

  constructor(redis: Redis, readonly keys: ProjectionKeys, readonly codec: ProjectionCodec) {
    this.redis = withScripts(redis);
  }

  /**
   * One round trip (HGET) when the projection is there; a miss is checked against the read model's identity (a
   * second one), and throws READ_MODEL_REBUILDING when the read model cannot be trusted to lack the id.
   */
  async get(id: number): Promise<T | null> {
    const blob = await this.redis.hgetBuffer(this.keys.live.data, String(id))
      ?? this.trustedMiss(await this.redis.projectionMissBuffer(this.keys.live.data, this.keys.identity, id));
    return blob ? this.decode(blob, id) : null;
  }

  /** One round trip (a script doing ZRANGE, ZCARD and HMGET); READ_MODEL_REBUILDING when it cannot be trusted. */
  async page(request: PageRequest): Promise<Page<T>> {
    const { ids, data } = this.keys.live;
    const [total, ...blobs] = request.kind === 'after'
      ? await this.redis.projectionPageBuffer(ids, data, this.keys.identity, 'after', request.after, request.limit)
      : await this.redis.projectionPageBuffer(ids, data, this.keys.identity, 'offset', request.offset, request.limit);
    if (total < 0) throw readModelRebuilding(UNTRUSTED);
    return { items: blobs.map((b) => this.decode(b, 'in this page')), total: Number(total) };
  }

  /** The stored JSON text of a projection, undecoded (json encoding only). One round trip (HGET), as `get`. */
  async getText(id: number): Promise<string | null> {
    this.expectJson();
    const text = await this.redis.hget(this.keys.live.data, String(id))
      ?? this.trustedMiss(await this.redis.projectionMiss(this.keys.live.data, this.keys.identity, id));
    if (text !== null && text.charCodeAt(0) !== 0x7b) throw notInEncoding(id, 'JSON text');
    return text;
  }

  /** A page of stored JSON texts, undecoded, with the last one's id (json encoding only). One round trip, as `page`. */
  async pageText(request: PageRequest): Promise<PageText> {
    this.expectJson();
    const { ids, data } = this.keys.live;
    const [total, lastId, ...texts] = request.kind === 'after'
      ? await this.redis.projectionPageText(ids, data, this.keys.identity, 'after', request.after, request.limit)
      : await this.redis.projectionPageText(ids, data, this.keys.identity, 'offset', request.offset, request.limit);
    if (total < 0) throw readModelRebuilding(UNTRUSTED);
    for (const text of texts) if (text.charCodeAt(0) !== 0x7b) throw notInEncoding(`in this page`, 'JSON text');
    return { texts, total: Number(total), lastId: lastId > 0 ? lastId : undefined };
  }

  /** The miss script's answer: the value found on the second look, null for a trusted miss; throws for an untrusted one. */
  private trustedMiss<V>(found: V | number): V | null {
    if (typeof found !== 'number') return found;
    if (found < 0) throw readModelRebuilding(UNTRUSTED);
    return null;
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

  /**
   * Bulk write of a rebuild batch into the rebuild key set, all at one version, in one script fenced by `lease`
   * (fails with LEASE_LOST once another process holds it).
   */
  async writeRebuildBatch(projections: readonly T[], version: number, lease: Lease): Promise<void> {
    if (projections.length === 0) return;
    const { data, ver, ids } = this.keys.rebuild;
    const pairs: (string | Buffer)[] = [];
    for (const p of projections) pairs.push(String(p.id), this.codec.encode(p));
    await this.redis.projectionRebuildWrite(lease.key, data, ver, ids, lease.token, version, ...pairs);
  }

  async clearRebuild(): Promise<void> {
    const { data, ver, ids } = this.keys.rebuild;
    await this.redis.unlink(data, ver, ids);
  }

  /** Swaps the rebuild key set in, if `lease` is still held (LEASE_LOST otherwise: nothing is swapped). */
  async swapInRebuild(lease: Lease): Promise<void> {
    const { live, rebuild } = this.keys;
    await this.redis.projectionSwap(lease.key, live.data, live.ver, live.ids, rebuild.data, rebuild.ver, rebuild.ids, lease.token);
  }

  async count(): Promise<number> {
    return this.redis.zcard(this.keys.live.ids);
  }

  /** Every live projection, by id, whether or not the read model is to be trusted (for tests and checks, not for the request path). */
  async all(): Promise<T[]> {
    const { ids, data } = this.keys.live;
    const all = await this.redis.zrange(ids, '0', '-1');
    const items: T[] = [];
    for (let i = 0; i < all.length; i += 1000) {
      for (const blob of await this.redis.hmgetBuffer(data, ...all.slice(i, i + 1000))) if (blob) items.push(this.decode(blob, 'in this list'));
    }
    return items;
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

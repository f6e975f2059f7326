import { Redis } from 'ioredis';

export interface RedisOptions {
  /** Connect on `connectRedis` only (the fork runtime's per-request bootstrap connects only when it reads Redis). */
  readonly lazy?: boolean;
  /** Called once each time the connection goes from up to down (not on every retry). */
  readonly onDown?: (error: Error) => void;
  /** REDIS_AUTO_PIPELINING: commands of one event-loop tick go out as one pipeline (one write, one read). */
  readonly autoPipelining?: boolean;
  /** Client methods (a defined script's name) sent at once even with auto-pipelining. */
  readonly sentAtOnce?: readonly string[];
}

/**
 * A client that fails fast while Redis is down (no offline queue, one try per command), so a request
 * answers 503 at once instead of hanging, and reconnects in the background until Redis is back.
 */
export function createRedis(redisUrl: string, options: RedisOptions = {}): Redis {
  const redis = new Redis(redisUrl, {
    lazyConnect: options.lazy ?? false,
    enableAutoPipelining: options.autoPipelining ?? false,
    autoPipeliningIgnoredCommands: [...(options.sentAtOnce ?? [])],
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(50 * attempt, 1_000),
  });
  let up = true;
  redis.on('ready', () => { up = true; });
  redis.on('error', (error: Error) => {
    if (up) {
      up = false;
      options.onDown?.(error);
    }
  });
  return redis;
}

/** Waits until the client is ready; rejects on the first connection error. */
export async function connectRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') return;
  if (redis.status === 'wait') {
    await redis.connect();
    return;
  }
  await new Promise<void>((resolve, reject) => {
    const onReady = () => { redis.off('error', onError); resolve(); };
    const onError = (error: Error) => { redis.off('ready', onReady); reject(error); };
    redis.once('ready', onReady);
    redis.once('error', onError);
  });
}

/** Deletes every key that starts with `prefix` (SCAN, not KEYS: the server keeps answering others meanwhile). */
export async function deleteKeysWithPrefix(redis: Redis, prefix: string): Promise<void> {
  for await (const keys of redis.scanStream({ match: `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`, count: 1000 })) {
    if ((keys as string[]).length > 0) await redis.del(...(keys as string[]));
  }
}

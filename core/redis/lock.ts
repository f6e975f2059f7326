import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/** Takes `key` for `ttlMs` unless someone holds it; resolves with the token that releases it, or undefined. */
export async function acquireLock(redis: Redis, key: string, ttlMs: number): Promise<string | undefined> {
  const token = randomUUID();
  return (await redis.set(key, token, 'PX', ttlMs, 'NX')) === 'OK' ? token : undefined;
}

/** Releases `key` if this token still holds it (an expired lock taken by another is left alone). */
export async function releaseLock(redis: Redis, key: string, token: string): Promise<void> {
  await redis.eval(RELEASE, 1, key, token);
}

import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

const RENEW = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0";
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * The Lua guard a fenced script starts with: KEYS[1] the lease key, ARGV[1] the holder's token. A holder whose lease
 * expired (it stalled, or it died and another took the lease) cannot write through a fenced script any more.
 */
export const FENCE = "if redis.call('GET', KEYS[1]) ~= ARGV[1] then return redis.error_reply('LEASE_LOST the lease ' .. KEYS[1] .. ' is no longer held by this process') end";

/** True for the error a fenced script answers once its caller's lease is gone. */
export function isLeaseLost(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('LEASE_LOST');
}

/**
 * A lock that expires unless renewed: taken for `ttlMs`, renewed every third of it while the holder lives, so a
 * holder that dies (kill -9, a crash) frees it within `ttlMs`, not at the end of the longest job it might have run.
 * Its token fences the holder's writes (FENCE): a holder that lost the lease cannot swap in stale work.
 */
export class Lease {
  private heartbeat: NodeJS.Timeout | undefined;
  private held = true;

  private constructor(private readonly redis: Redis, readonly key: string, readonly token: string, private readonly ttlMs: number) {}

  /** Takes `key` unless someone holds it; resolves with the lease (renewed until released), or undefined. */
  static async acquire(redis: Redis, key: string, ttlMs: number): Promise<Lease | undefined> {
    const token = randomUUID();
    if ((await redis.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
    const lease = new Lease(redis, key, token, ttlMs);
    lease.heartbeat = setInterval(() => void lease.renew(), Math.max(1, Math.floor(ttlMs / 3))).unref();
    return lease;
  }

  /** False once a renewal found the lease taken by another or expired; the holder's fenced writes fail from then. */
  get isHeld(): boolean {
    return this.held;
  }

  /** Renews now; a Redis error leaves it to the next beat (the fence keeps a holder that lost it from writing). */
  async renew(): Promise<boolean> {
    if (!this.held) return false;
    try {
      if (Number(await this.redis.eval(RENEW, 1, this.key, this.token, this.ttlMs)) === 0) this.lose();
    } catch {
      // Redis unreachable: the lease may still be ours when it is back; the fence decides.
    }
    return this.held;
  }

  async release(): Promise<void> {
    this.lose();
    await this.redis.eval(RELEASE, 1, this.key, this.token);
  }

  private lose(): void {
    this.held = false;
    clearInterval(this.heartbeat);
  }
}

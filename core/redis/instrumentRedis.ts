import type { Redis } from 'ioredis';

/** Told of every Redis call's round trip: the client method (`hget`, a script's name, …) and its seconds. */
export type RedisCallObserver = (command: string, seconds: number) => void;

/** Methods that are not round trips of a command. */
const UNTIMED = new Set(['connect', 'disconnect', 'duplicate', 'pipeline', 'multi', 'defineCommand', 'on', 'once', 'off', 'emit']);

/**
 * The client as the application sees it, each call of a public method timed: a Proxy over ioredis's public
 * API (no private member replaced), at the boundary where the application gets its client. Cheaper on the
 * hot path than ioredis's own diagnostics_channel tracing, which builds a context object for every command.
 */
export function instrumentRedis(redis: Redis, observe: RedisCallObserver): Redis {
  const timed = new Map<string, { original: unknown; wrapper: unknown }>();
  return new Proxy(redis, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const cached = timed.get(property);
      if (cached?.original === value) return cached.wrapper;
      const method = value as (...args: unknown[]) => unknown;
      // Bound to the client itself, so that what it creates (a pipeline, a MULTI) talks to it, not to this wrapper.
      const wrapper = UNTIMED.has(property) ? method.bind(target) : (...args: unknown[]): unknown => {
        const started = process.hrtime.bigint();
        const result = method.apply(target, args);
        if (result instanceof Promise) {
          const done = () => observe(property, Number(process.hrtime.bigint() - started) / 1e9);
          result.then(done, done);
        }
        return result;
      };
      timed.set(property, { original: value, wrapper });
      return wrapper;
    },
  });
}

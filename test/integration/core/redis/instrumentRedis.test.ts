import { expect } from 'chai';
import type { Redis } from 'ioredis';
import { loadConfig } from '../../../../core/config.js';
import { connectRedis, createRedis } from '../../../../core/redis/connection.js';
import { instrumentRedis } from '../../../../core/redis/instrumentRedis.js';

// The Redis timing wrapper, against the real Redis: every command the application calls is timed under the
// name it was called by, and the client behaves exactly as without the wrapper.

describe('instrumentRedis: Redis round trips timed through the client\'s public methods', () => {
  let client: Redis;
  let redis: Redis;
  let calls: Array<[string, number]>;
  const key = `${loadConfig().redisPrefix}instrument-test`;

  before(async () => {
    client = createRedis(loadConfig().redisUrl, { lazy: true });
    redis = instrumentRedis(client, (command, seconds) => calls.push([command, seconds]));
    await connectRedis(redis);
  });
  beforeEach(() => { calls = []; });
  after(async () => {
    await client.del(key);
    client.disconnect();
  });

  it('times a command under its name, once, with a positive duration', async () => {
    await redis.hset(key, 'a', '1');
    expect(await redis.hget(key, 'a')).to.equal('1');
    expect(calls.map(([command]) => command)).to.deep.equal(['hset', 'hget']);
    for (const [, seconds] of calls) expect(seconds).to.be.greaterThan(0).and.below(5);
  });

  it('a script defined on the client is timed under its own name, and the client still knows it', async () => {
    redis.defineCommand('instrumentEcho', { numberOfKeys: 0, lua: 'return ARGV[1]' });
    expect('instrumentEcho' in redis).to.equal(true);
    const echo = (redis as unknown as { instrumentEcho(value: string): Promise<string> }).instrumentEcho('hi');
    expect(await echo).to.equal('hi');
    expect(calls.map(([command]) => command)).to.deep.equal(['instrumentEcho']);
  });

  it('a failing command is timed and still rejects for the caller', async () => {
    await redis.set(key, 'not a hash');
    calls = [];
    const failure = await redis.hget(key, 'a').then(() => undefined, (err: Error) => err);
    expect(failure?.message).to.match(/WRONGTYPE/);
    expect(calls.map(([command]) => command)).to.deep.equal(['hget']);
    await redis.del(key);
  });

  it('connecting, pipelines and event listeners are not counted as commands, and work', async () => {
    redis.on('nothing-happens', () => undefined);
    const results = await redis.pipeline().set(key, 'x').get(key).exec();
    expect(results?.map(([, value]) => value)).to.deep.equal(['OK', 'x']);
    expect(calls).to.deep.equal([]);
  });
});

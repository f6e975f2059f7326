import { expect } from 'chai';
import type { Application } from '../../../core/app.js';
import { identityKey } from '../../../core/projections/ReadModelIdentity.js';
import { RUNTIME_NAMES, type LaunchedRuntime } from '../../../runtimes/launcher.js';
import { createTestApp, rebuildAllWhenFree, resetData, seedSmall } from '../../support/fixtures.js';
import { call, startRuntime, type Answer } from '../../support/runtimes.js';

// A runtime with PROJECTION_ENCODING=json answers every projection route with the bytes a msgpack runtime sends.
// The json runtime has its own REDIS_PREFIX: two encodings on one prefix rebuild each other's read model (each
// keeper finds the other encoding recorded), which is the expected behaviour, not something to benchmark.

const JSON_PREFIX = 'test-json-e2e:';

/** Every projection read: gets (a 404 too), pages by offset (full, short, past the end), by cursor, and all. */
function projectionPaths(): string[] {
  const paths: string[] = [];
  for (const plural of ['products', 'customers', 'orders']) {
    for (const base of [`/en/${plural}/projection`, `/en/${plural}`]) {
      paths.push(base, `${base}/1`, `${base}/2`, `${base}/999999`, `${base}?limit=5&offset=3`, `${base}?limit=7&offset=28`,
        `${base}?limit=10&offset=30`, `${base}?offset=5000`, `${base}?limit=4&after=0`, `${base}?limit=4&after=8`,
        `${base}?limit=50&after=29`, `${base}?limit=all`);
    }
  }
  return paths;
}

/** Status, every header but the date, and the body text. */
function wire(answer: Answer): { status: number; headers: Record<string, string>; text: string } {
  const headers: Record<string, string> = {};
  answer.headers.forEach((value, name) => { if (name !== 'date') headers[name] = value; });
  return { status: answer.status, headers, text: answer.text };
}

async function untilHealthy(base: string): Promise<void> {
  for (const deadline = Date.now() + 20_000; ;) {
    const health = (await call(base, 'GET', '/healthz')).json as { status: string; read_model: string };
    if (health.status === 'ok') return;
    if (Date.now() > deadline) throw new Error(`${base} still ${JSON.stringify(health)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('PROJECTION_ENCODING=json and msgpack runtimes answer the projection routes byte for byte alike', function () {
  this.timeout(90_000);
  let app: Application;
  let jsonApp: Application;
  const started: LaunchedRuntime[] = [];

  before(async () => {
    app = await createTestApp({ projectionEncoding: 'msgpack' });
    jsonApp = await createTestApp({ projectionEncoding: 'json', redisPrefix: JSON_PREFIX });
    await resetData(app);
    await seedSmall(app);
    const stale = await jsonApp.redis.keys(`${JSON_PREFIX}*`);
    if (stale.length > 0) await jsonApp.redis.del(...stale);
    await rebuildAllWhenFree(jsonApp);
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map((r) => r.stop()));
  });
  after(async () => {
    const keys = await jsonApp.redis.keys(`${JSON_PREFIX}*`);
    if (keys.length > 0) await jsonApp.redis.del(...keys);
    await Promise.all([app.close(), jsonApp.close()]);
  });

  for (const name of RUNTIME_NAMES) {
    it(`${name}: every projection route, json against msgpack`, async () => {
      const [msgpack, json] = await Promise.all([
        startRuntime(name, { PROJECTION_ENCODING: 'msgpack' }),
        startRuntime(name, { PROJECTION_ENCODING: 'json', REDIS_PREFIX: JSON_PREFIX }),
      ]);
      started.push(msgpack, json);
      await Promise.all([untilHealthy(msgpack.url), untilHealthy(json.url)]);
      const statuses = new Set<number>();
      for (const path of projectionPaths()) {
        const [expected, actual] = [await call(msgpack.url, 'GET', path), await call(json.url, 'GET', path)];
        expect(wire(actual), path).to.deep.equal(wire(expected));
        statuses.add(expected.status);
      }
      expect([...statuses].sort()).to.deep.equal([200, 404]);
      // Each answered from its own encoding: the json read model is recorded and stored as JSON text.
      expect(JSON.parse((await jsonApp.redis.get(identityKey(JSON_PREFIX)))!)).to.include({ encoding: 'json' });
      expect(JSON.parse((await app.redis.get(identityKey(app.config.redisPrefix)))!)).to.include({ encoding: 'msgpack' });
      const product = (await call(msgpack.url, 'GET', '/en/products/projection/2')).json.product;
      expect(await jsonApp.redis.hget(`${JSON_PREFIX}products:data`, '2')).to.equal(JSON.stringify(product));
    });
  }
});

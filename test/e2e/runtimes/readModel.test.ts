import { expect } from 'chai';
import type { Application } from '../../../core/app.js';
import { loadConfig, splitMysqlUrl } from '../../../core/config.js';
import { createKnex, ensureDatabase } from '../../../core/db/connection.js';
import { migrateLatest } from '../../../core/db/migrate.js';
import { verifyReadModel } from '../../../core/ReadModelVerifier.js';
import { createApplication } from '../../../core/app.js';
import { silentLogger } from '../../../core/logger.js';
import { Seeder } from '../../../core/seed/Seeder.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';
import { call, runtimesOfTest, untilHealthy } from '../../support/runtimes.js';

// The read model heals itself with the runtimes running: a Redis emptied under a write load, a MySQL replaced by
// another database. /healthz says `degraded` while it does not belong to the write model; a runtime's keeper
// rebuilds it; no acknowledged write is missing from the projections afterwards.

const HEAL_WITHIN_MS = 20_000;

async function healthOf(base: string): Promise<{ status: string; read_model: string }> {
  return (await call(base, 'GET', '/healthz')).json;
}

/** Writes products through `base` until stopped; resolves with the ids acknowledged 201. */
function writeLoad(base: string): { stop(): Promise<number[]> } {
  let running = true;
  const acknowledged: number[] = [];
  const worker = async (n: number) => {
    for (let i = 0; running; i++) {
      const answer = await call(base, 'POST', '/en/products', { name: `Load ${n}-${i}`, price: '2.50' });
      if (answer.status === 201) acknowledged.push(answer.json.product.id);
    }
  };
  const workers = Promise.all([0, 1, 2].map(worker));
  return { async stop() { running = false; await workers; return acknowledged; } };
}

describe('a read model that heals itself, with the runtimes running', function () {
  this.timeout(90_000);
  let app: Application;
  const { start, stopAll } = runtimesOfTest();

  before(async () => {
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
  });
  afterEach(async () => {
    await stopAll();
  });
  after(async () => { await app.close(); });

  it('Redis emptied under a write load: degraded until a keeper rebuilds it, then every acknowledged write is in the projections', async () => {
    // This runtime runs no projector: the read model stays as it is until another process heals it.
    const watched = await start('express', { PROJECTOR: '0' });
    expect(await healthOf(watched.url)).to.include({ status: 'ok', read_model: 'ok' });
    const load = writeLoad(watched.url);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const keys = await app.redis.keys(`${app.config.redisPrefix}*`);
    await app.redis.del(...keys);
    for (let i = 0; i < 3; i++) {
      expect(await healthOf(watched.url), `poll ${i}`).to.include({ status: 'degraded', read_model: 'empty' });
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await start('uws', { PROJECTOR: '1', PROJECTOR_INTERVAL_MS: '100' });
    const healedIn = await untilHealthy(watched.url, HEAL_WITHIN_MS);
    expect(healedIn).to.be.below(HEAL_WITHIN_MS);
    const acknowledged = await load.stop();
    console.log(`      (healed ${healedIn} ms after a keeper started; ${acknowledged.length} writes acknowledged meanwhile)`);
    expect(acknowledged.length, 'writes acknowledged during the test').to.be.greaterThan(10);
    // The projector catches up the last writes; then the projections equal MySQL, every write included.
    for (const deadline = Date.now() + 10_000; (await app.projector.lag()) > 0 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 100));
    expect((await verifyReadModel(app)).mismatches).to.deep.equal([]);
    const missing: number[] = [];
    for (const id of acknowledged) if ((await call(watched.url, 'GET', `/en/products/projection/${id}`)).status !== 200) missing.push(id);
    expect(missing, 'acknowledged writes missing from the projections').to.deep.equal([]);
  });

  it('MySQL replaced by another database: detected (other-database) and rebuilt from it, never a mix of the two', async () => {
    const config = loadConfig();
    const { database } = splitMysqlUrl(config.mysqlUrl);
    const otherUrl = config.mysqlUrl.replace(new RegExp(`/${database}$`), `/${database}_other`);
    await ensureDatabase(otherUrl);
    const knex = createKnex(otherUrl, { poolMax: 1 });
    const other = createApplication({ ...config, mysqlUrl: otherUrl }, { logger: silentLogger });
    try {
      await migrateLatest(knex);
      await new Seeder(knex, 50).seed({ products: 12, customers: 5, orders: 8, itemsPerOrder: 2, seed: 99 });
      await other.connectRedis();
      // The read model is still the first database's (31 products): a runtime on the other one says so.
      const watched = await start('express', { PROJECTOR: '0', MYSQL_URL: otherUrl });
      expect(await healthOf(watched.url)).to.include({ status: 'degraded', read_model: 'other-database' });
      await start('uws', { PROJECTOR: '1', PROJECTOR_INTERVAL_MS: '100', MYSQL_URL: otherUrl });
      await untilHealthy(watched.url, HEAL_WITHIN_MS);
      expect((await call(watched.url, 'GET', '/en/products/projection?limit=all')).json.total).to.equal(12);
      const { mismatches, compared } = await verifyReadModel(other);
      expect(mismatches).to.deep.equal([]);
      expect(compared.ids).to.equal(12 + 5 + 8);
    } finally {
      await other.close();
      await knex.raw(`DROP DATABASE IF EXISTS \`${database}_other\``);
      await knex.destroy();
    }
  });
});

import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Application } from '../../../../core/app.js';
import { checkpointKey, rebuildLeaseKey } from '../../../../core/projections/ProjectionKeys.js';
import { identityKey, readModelState, writeModelIdentity } from '../../../../core/projections/ReadModelIdentity.js';
import { verifyReadModel } from '../../../../core/ReadModelVerifier.js';
import { createTestApp, resetData, seedSmall } from '../../../support/fixtures.js';

// The read model must never stay wrong: whatever happened to Redis or to MySQL, one poll of the keeper finds
// it, rebuilds, and leaves projections equal to the write model.

const VERIFY_SCRIPT = fileURLToPath(new URL('../../../../cli/verify-projections.js', import.meta.url));

async function deleteTestKeys(app: Application): Promise<void> {
  const keys = await app.redis.keys(`${app.config.redisPrefix}*`);
  if (keys.length > 0) await app.redis.del(...keys);
}

describe('read model identity and the keeper', function () {
  this.timeout(60_000);
  let app: Application;

  before(async () => {
    app = await createTestApp();
  });
  beforeEach(async () => {
    await resetData(app);
    await seedSmall(app);
    await app.commands.product.create({ name: 'After the seed', price: '3.00' }); // an event in the outbox
  });
  after(async () => { await app.close(); });

  it('after a full rebuild the read model belongs to this write model and data set', async () => {
    expect(await readModelState(app.knex, app.redis, app.config.redisPrefix, app.config.projectionEncoding)).to.deep.equal({ status: 'ok' });
    expect(JSON.parse((await app.redis.get(identityKey(app.config.redisPrefix)))!))
      .to.deep.equal({ ...(await writeModelIdentity(app.knex)), encoding: app.config.projectionEncoding });
  });

  const cases: ReadonlyArray<[title: string, reason: string, harm: (a: Application) => Promise<unknown>]> = [
    ['Redis emptied (restarted, or a cache that keeps nothing)', 'empty', deleteTestKeys],
    ['the read model of another database', 'other-database', (a) => a.knex('write_model_identity').update({ identity: randomUUID() })],
    ['the read model of an earlier data set (the write model was reseeded)', 'other-data-set', (a) => a.knex('write_model_identity').increment('generation', 1)],
    ['a checkpoint past the end of the outbox', 'ahead-of-outbox', (a) => a.redis.set(checkpointKey(a.config.redisPrefix), '1000000')],
  ];
  for (const [title, reason, harm] of cases) {
    it(`${title}: found (${reason}) and rebuilt in one poll, equal to MySQL after it`, async () => {
      await harm(app);
      expect(await readModelState(app.knex, app.redis, app.config.redisPrefix, app.config.projectionEncoding)).to.include({ status: 'degraded', reason });
      expect(await app.keeper.keep()).to.deep.equal({ state: 'ok' });
      expect(await readModelState(app.knex, app.redis, app.config.redisPrefix, app.config.projectionEncoding)).to.deep.equal({ status: 'ok' });
      const { mismatches, compared } = await verifyReadModel(app);
      expect(mismatches).to.deep.equal([]);
      expect(compared.ids).to.equal(31 + 10 + 40);
    });
  }

  it('while another process holds the rebuild lease, a keeper waits its turn instead of rebuilding too', async () => {
    await deleteTestKeys(app);
    await app.redis.set(rebuildLeaseKey(app.config.redisPrefix), 'someone-else', 'PX', 60_000);
    expect(await app.keeper.keep()).to.deep.equal({ state: 'degraded', reason: 'empty' });
    expect(await app.redis.hlen(`${app.config.redisPrefix}products:data`), 'nothing rebuilt').to.equal(0);
    await app.redis.del(rebuildLeaseKey(app.config.redisPrefix));
    expect(await app.keeper.keep()).to.deep.equal({ state: 'ok' });
  });

  it('a lease whose holder died (never renewed) frees itself within REBUILD_LEASE_MS, and a keeper heals then', async () => {
    await deleteTestKeys(app);
    // What a keeper killed with -9 right after taking the lease leaves: the lease, renewed by no one.
    await app.redis.set(rebuildLeaseKey(app.config.redisPrefix), 'a-dead-process', 'PX', app.config.rebuildLeaseMs);
    const started = Date.now();
    let polls = 0;
    while ((await app.keeper.keep()).state !== 'ok') {
      polls++;
      expect(Date.now() - started, 'healed within the lease life and a poll').to.be.below(app.config.rebuildLeaseMs + 2_000);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(polls, 'the keeper waited for the dead holder').to.be.greaterThan(0);
    expect(Date.now() - started).to.be.at.least(app.config.rebuildLeaseMs - 200);
    expect((await verifyReadModel(app)).mismatches).to.deep.equal([]);
  });

  it('a read model found to belong elsewhere is withdrawn at once: identity and live projections deleted until the rebuild swaps in new ones', async () => {
    const lease = rebuildLeaseKey(app.config.redisPrefix);
    await app.knex('write_model_identity').increment('generation', 1);
    await app.redis.set(lease, 'someone-else', 'PX', 60_000);
    try {
      expect(await app.keeper.keep()).to.deep.equal({ state: 'degraded', reason: 'other-data-set' });
      expect(await app.redis.exists(identityKey(app.config.redisPrefix)), 'identity withdrawn while another process rebuilds').to.equal(0);
      expect(await app.repositories.product.count(), 'no projection of the other data set left to read').to.equal(0);
      // Every projection read is answered by MySQL meanwhile.
      expect(await app.reads.product.projection.get(5)).to.deep.equal(await app.reads.product.db.get(5));
      expect(await app.reads.order.projection.list({ kind: 'offset', offset: 10, limit: 5 }))
        .to.deep.equal(await app.reads.order.db.list({ kind: 'offset', offset: 10, limit: 5 }));
    } finally {
      await app.redis.del(lease);
    }
    expect(await app.keeper.keep()).to.deep.equal({ state: 'ok' });
    expect(await app.redis.exists(identityKey(app.config.redisPrefix))).to.equal(1);
    expect(await app.repositories.product.count()).to.equal(31);
  });

  describe('verifyReadModel and make verify-projections', () => {
    const run = () => spawnSync(process.execPath, [VERIFY_SCRIPT], { encoding: 'utf8', env: process.env });

    it('a read model equal to MySQL: no mismatch, exit 0', () => {
      const result = run();
      expect(result.status, result.stderr).to.equal(0);
      expect(result.stdout).to.match(/81 ids and 3 pages compared, 0 mismatches/);
    });

    it('a forged projection, an undecodable one and one without a live row: each named, counted, exit 1', async () => {
      const data = (entity: string) => `${app.config.redisPrefix}${entity}:data`;
      const forged = { ...(await app.reads.product.projection.get(5)), name: 'Forged' };
      const { codec } = app.repositories.product;
      await app.redis.hset(data('products'), '5', codec.encode(forged));
      await app.redis.hset(data('customers'), '3', 'neither msgpack nor JSON');
      await app.redis.hset(data('orders'), '999', codec.encode({ id: 999 }));
      const { mismatches } = await verifyReadModel(app);
      expect(mismatches.map((m) => `${m.entity} ${m.where}`)).to.include.members(['products id 5', 'customers id 3', 'orders id 999']);
      expect(mismatches.find((m) => m.where === 'id 5')!.projection).to.contain('Forged');
      expect(mismatches.find((m) => m.entity === 'customers' && m.where === 'id 3')!.projection).to.match(/undecodable/);
      expect(mismatches.find((m) => m.where === 'id 999')!.database).to.equal('(no live row)');
      const result = run();
      expect(result.status).to.equal(1);
      expect(result.stdout).to.contain('products id 5').and.contain('customers id 3').and.match(/[1-9]\d* mismatches/);
    });

    it('compares the pages past DB_MAX_OFFSET too: the bound is the API\'s, not the verifier\'s (a table past it by a page of 500 made it stop)', async () => {
      await resetData(app);
      await seedSmall(app, { products: 520, customers: 10, orders: 40, itemsPerOrder: 3, seed: 7 });
      const result = spawnSync(process.execPath, [VERIFY_SCRIPT], { encoding: 'utf8', env: { ...process.env, DB_MAX_OFFSET: '100' } });
      expect(result.status, `${result.stdout}${result.stderr}`).to.equal(0);
      expect(result.stdout).to.match(/570 ids and 4 pages compared, 0 mismatches/);
    });
  });
});

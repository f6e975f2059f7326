import { expect } from 'chai';
import type { Knex } from 'knex';
import { createApplication, type Application } from '../../../../core/app.js';
import { loadConfig } from '../../../../core/config.js';
import type { AppendedEvent } from '../../../../core/events/DomainEvent.js';
import { EventSequencer } from '../../../../core/events/EventSequencer.js';
import { EventStore } from '../../../../core/events/EventStore.js';
import { createKnex } from '../../../../core/db/connection.js';
import { inTransaction, PooledTransaction } from '../../../../core/db/SqlTransaction.js';
import { Tables, type ProductRow } from '../../../../core/db/tables.js';
import { silentLogger } from '../../../../core/logger.js';
import { PRODUCT_COLUMNS, ProductProjectionBuilder } from '../../../../core/model/Product.js';
import { createTestApp, resetData, seedSmall } from '../../../support/fixtures.js';
import { actualReadModel, expectedReadModel } from '../../../support/readModel.js';

// The outbox numbered after commit (core/events/EventSequencer.ts), held to what a reader of `position > checkpoint`
// needs: no committed event ever skipped, however late it commits; no wait on a rolled-back one; one position per
// event and one event per position, dense; per-entity order; the same read model as MySQL in the end.

/** Renames a product in an open transaction, as a command does, and returns the transaction and its event. */
async function openRename(app: Application, id: number, name: string): Promise<{ trx: PooledTransaction; event: AppendedEvent }> {
  const trx = await PooledTransaction.begin(app.knex);
  await trx.query(`UPDATE ${Tables.products} SET name = ? WHERE id = ?`, [name, id]);
  const [row] = await trx.query<ProductRow[]>(`SELECT ${PRODUCT_COLUMNS.join(', ')} FROM ${Tables.products} WHERE id = ?`, [id]);
  const product = ProductProjectionBuilder.fromRow(row!);
  const [event] = await EventStore.append(trx, [{ type: 'ProductUpdated', aggregateType: 'product', aggregateId: id, payload: product }]);
  return { trx, event: event! };
}

async function outbox(app: Application): Promise<Array<{ id: number; position: number | null; aggregate_id: number }>> {
  const rows = await app.knex(Tables.events).select('id', 'position', 'aggregate_id').orderBy('id') as Array<{ id: number | string; position: number | string | null; aggregate_id: number }>;
  return rows.map((r) => ({ id: Number(r.id), position: r.position === null ? null : Number(r.position), aggregate_id: r.aggregate_id }));
}

describe('EventSequencer: the outbox numbered after commit', function () {
  this.timeout(60_000);
  let app: Application;
  let sequencer: EventSequencer;

  before(async () => {
    app = await createTestApp();
    sequencer = new EventSequencer(app.knex);
  });
  after(async () => {
    await app.close();
  });
  beforeEach(async () => {
    await resetData(app);
    await seedSmall(app);
  });

  it('a command answers with its events numbered and projected: positions follow the last one, the counter row says so', async () => {
    const before = await EventStore.lastPosition(app.knex);
    await app.commands.product.update(1, { name: 'Numbered' });
    const [row] = await outbox(app);
    expect(row!.position).to.equal(before + 1);
    expect(await EventStore.lastPosition(app.knex)).to.equal(before + 1);
    expect((await app.repositories.product.get(1))!.name).to.equal('Numbered');
  });

  it('an event whose transaction took its id first and commits last is numbered after the others, and projected', async () => {
    const late = await openRename(app, 4, 'Committed late');
    await app.commands.product.update(5, { name: 'Committed first' });
    await app.projector.catchUp();
    const checkpointWhileOpen = await app.projector.checkpoint();
    expect(late.event.id, 'the late one took the lower id').to.be.below((await outbox(app)).at(-1)!.id);
    expect((await outbox(app)).find((e) => e.id === late.event.id), 'invisible while uncommitted').to.equal(undefined);
    await late.trx.commit();
    await app.projector.catchUp();
    const numbered = (await outbox(app)).find((e) => e.id === late.event.id)!;
    expect(numbered.position, 'numbered after the checkpoint the projector had passed').to.be.above(checkpointWhileOpen);
    expect((await app.repositories.product.get(4))!.name).to.equal('Committed late');
    expect(await app.projector.checkpoint()).to.equal(numbered.position);
  });

  it('a rolled-back transaction leaves an id gap, never a position gap: nothing waits for it', async () => {
    const rolledBack = await openRename(app, 6, 'Never committed');
    await app.commands.product.update(7, { name: 'After the hole' });
    await rolledBack.trx.rollback();
    await app.commands.product.update(8, { name: 'After the rollback' });
    await app.projector.catchUp();
    const rows = await outbox(app);
    expect(rows.map((r) => r.position)).to.deep.equal([1, 2]);
    expect(rows.map((r) => r.id)).not.to.include(rolledBack.event.id);
    expect(await app.projector.checkpoint()).to.equal(2);
    expect((await app.repositories.product.get(6))!.name).not.to.equal('Never committed');
    expect((await app.repositories.product.get(8))!.name).to.equal('After the rollback');
  });

  it('two processes committing and numbering at once: every event numbered once, positions dense, each entity\'s events in commit order', async () => {
    const other = createApplication(loadConfig(), { logger: silentLogger });
    const failuresBefore = app.projector.stats.inlineFailures;
    try {
      // 120 commands over two applications (two pools, two sequencers), many on the same few products.
      const apps = [app, other];
      await Promise.all(Array.from({ length: 120 }, (_, i) =>
        apps[i % 2]!.commands.product.update(1 + (i % 3), { price: `${1 + i}.00` })));
      // Every command's own pass numbered its events (a pass colliding with another would fail and leave it to catch-up).
      expect([app.projector.stats.inlineFailures, other.projector.stats.inlineFailures], 'inline projections failed').to.deep.equal([failuresBefore, 0]);
      const rows = await outbox(app);
      expect(rows).to.have.length(120);
      expect(rows.map((r) => r.position).sort((a, b) => a! - b!)).to.deep.equal(Array.from({ length: 120 }, (_, i) => i + 1));
      for (const id of [1, 2, 3]) {
        const ofEntity = rows.filter((r) => r.aggregate_id === id);
        const byPosition = [...ofEntity].sort((a, b) => a.position! - b.position!).map((r) => r.id);
        expect(byPosition, `product ${id}: position order is id (commit) order`).to.deep.equal(ofEntity.map((r) => r.id));
      }
      await app.projector.catchUp();
      expect(await actualReadModel(app)).to.deep.equal(await expectedReadModel(app));
    } finally {
      await other.close();
    }
  });

  it('four sequencers of four pools numbering at once: no pass fails, none renumbers an event another numbered', async () => {
    const pools = Array.from({ length: 4 }, () => createKnex(app.config.mysqlUrl, { poolMax: 3 }));
    try {
      const given = new Map<number, number>();
      const failures: unknown[] = [];
      await Promise.all(pools.map(async (pool) => {
        const own = new EventSequencer(pool);
        for (let i = 0; i < 40; i++) {
          await inTransaction(pool, (trx) => EventStore.append(trx, [{ type: 'ProductDeleted', aggregateType: 'product', aggregateId: 1, payload: { id: 1 } }]));
          try {
            for (const [id, position] of await own.sequence()) {
              expect(given.get(id), `event ${id} numbered twice`).to.equal(undefined);
              given.set(id, position);
            }
          } catch (err) {
            failures.push(err);
          }
        }
      }));
      expect(failures).to.deep.equal([]);
      const rows = await outbox(app);
      expect(rows.map((r) => [r.id, r.position])).to.deep.equal(rows.map((r) => [r.id, given.get(r.id)]));
      expect([...given.values()].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 160 }, (_, i) => i + 1));
    } finally {
      await Promise.all(pools.map((pool) => pool.destroy()));
    }
  });

  it('events committed without a pass (the process died after its commit) are numbered by the next pass of anyone', async () => {
    const orphan = await openRename(app, 9, 'Orphaned by a crash');
    await orphan.trx.commit();
    expect((await outbox(app))[0]!.position, 'committed, not numbered').to.equal(null);
    const numbered = await sequencer.sequence();
    expect([...numbered]).to.deep.equal([[orphan.event.id, 1]]);
    expect(await sequencer.sequence(), 'nothing left to number').to.have.property('size', 0);
  });
});

import { expect } from 'chai';
import type { Application } from '../../../../core/app.js';
import { CommandExecutor } from '../../../../core/commands/CommandExecutor.js';
import { PURGE_BATCH, type IdempotentCommand, type KeyAlreadyUsed } from '../../../../core/commands/IdempotencyStore.js';
import { Tables } from '../../../../core/db/tables.js';
import { PooledTransaction } from '../../../../core/db/SqlTransaction.js';
import type { ProductProjection } from '../../../../core/model/Product.js';
import { createTestApp, resetData, seedSmall } from '../../../support/fixtures.js';

const PRINT_A = 'a'.repeat(64);
const PRINT_B = 'b'.repeat(64);

function keyed(key: string, fingerprint = PRINT_A): IdempotentCommand<ProductProjection> {
  return { key, fingerprint, answer: (product) => ({ status: 201, body: JSON.stringify({ product }) }) };
}

async function caught(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a rejection');
}

// The store and the executor against the real MariaDB: the key is claimed and its answer recorded in the command's
// own transaction, so the two commit together or not at all.
describe('IdempotencyStore and the command executor', function () {
  this.timeout(30_000);
  let app: Application;

  const keyRow = (key: string) => app.knex(Tables.idempotencyKeys).where({ idempotency_key: key }).first();
  const keyRows = async () => Number((await app.knex(Tables.idempotencyKeys).count({ n: '*' }))[0]!.n);
  const named = async (name: string) => Number((await app.knex(Tables.products).where({ name }).count({ n: '*' }))[0]!.n);
  const lastPosition = async () => Number((await app.knex(Tables.eventSequence).first('last_position')).last_position);

  before(async () => {
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
  });
  beforeEach(async () => {
    await app.knex(Tables.idempotencyKeys).delete();
  });
  after(async () => {
    await app.close();
  });

  it('records the key, its fingerprint and the answer with the command\'s rows; kept for IDEMPOTENCY_KEY_TTL_SECONDS', async () => {
    const events = await lastPosition();
    const product = await app.commands.product.create({ name: 'Keyed lamp', price: '3.00' }, keyed('k-record'));
    const row = await keyRow('k-record');
    expect(row).to.include({ fingerprint: PRINT_A, status: 201, body: JSON.stringify({ product }) });
    const [[{ ttl }]] = await app.knex.raw('SELECT TIMESTAMPDIFF(SECOND, created_at, expires_at) AS ttl FROM idempotency_keys WHERE idempotency_key = ?', ['k-record']);
    expect(app.config.idempotencyKeyTtlSeconds).to.equal(86_400);
    expect(Number(ttl)).to.equal(86_400);
    expect(await app.idempotency.find('k-record')).to.deep.equal({ fingerprint: PRINT_A, answer: { status: 201, body: JSON.stringify({ product }) } });
    expect(await named('Keyed lamp')).to.equal(1);
    expect(await lastPosition()).to.equal(events + 1);
  });

  it('a second command with the key writes nothing and runs nothing: KeyAlreadyUsed carries the first answer', async () => {
    const first = await app.commands.product.create({ name: 'Once', price: '1.00' }, keyed('k-twice'));
    const events = await lastPosition();
    let ran = 0;
    const err = await caught(new CommandExecutor(app.knex, app.projector, app.idempotency).execute(async () => {
      ran++;
      throw new Error('the work must not run');
    }, keyed('k-twice', PRINT_B)));
    expect(err.code).to.equal('IDEMPOTENCY_KEY_USED');
    expect((err as unknown as KeyAlreadyUsed).stored).to.deep.equal({ fingerprint: PRINT_A, answer: { status: 201, body: JSON.stringify({ product: first }) } });
    expect(ran).to.equal(0);
    expect(await named('Once')).to.equal(1);
    expect(await lastPosition()).to.equal(events);
  });

  it('a command that fails records nothing: the key stays free, and a retry runs as a fresh command', async () => {
    const events = await lastPosition();
    const refused = await caught(app.commands.order.create({ customer_id: 999_999, items: [{ product_id: 1, quantity: 1 }] },
      { key: 'k-failed', fingerprint: PRINT_A, answer: () => ({ status: 201, body: '{}' }) }));
    expect((refused as { status?: number }).status).to.equal(400);
    expect(await keyRow('k-failed')).to.equal(undefined);
    expect(await lastPosition()).to.equal(events);
    const order = await app.commands.order.create({ customer_id: 1, items: [{ product_id: 1, quantity: 1 }] },
      { key: 'k-failed', fingerprint: PRINT_B, answer: (o) => ({ status: 201, body: JSON.stringify({ order: o }) }) });
    expect(await keyRow('k-failed')).to.include({ fingerprint: PRINT_B, body: JSON.stringify({ order }) });
  });

  describe('one transaction: a failure at any step leaves neither the key nor the writes', () => {
    afterEach(async () => {
      await app.knex.raw('DROP TRIGGER IF EXISTS test_fail_record');
      await app.knex.raw('DROP TRIGGER IF EXISTS test_fail_events');
    });

    it('recording the answer fails (a trigger): no product, no event, no key', async () => {
      await app.knex.raw(`CREATE TRIGGER test_fail_record BEFORE UPDATE ON idempotency_keys FOR EACH ROW
        BEGIN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'forced failure'; END`);
      const events = await lastPosition();
      const err = await caught(app.commands.product.create({ name: 'Unrecorded', price: '1.00' }, keyed('k-unrecorded')));
      expect(err.message).to.contain('forced failure');
      expect(await named('Unrecorded')).to.equal(0);
      expect(await lastPosition()).to.equal(events);
      expect(await keyRows()).to.equal(0);
    });

    it('the outbox append after the record fails (a trigger): no key either', async () => {
      await app.knex.raw(`CREATE TRIGGER test_fail_events BEFORE INSERT ON events FOR EACH ROW
        BEGIN SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'forced failure'; END`);
      await caught(app.commands.product.create({ name: 'No outbox', price: '1.00' }, keyed('k-no-outbox')));
      expect(await named('No outbox')).to.equal(0);
      expect(await keyRows()).to.equal(0);
    });
  });

  it('ten commands at once with one key: one product, nine KeyAlreadyUsed with its answer', async () => {
    const events = await lastPosition();
    const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () =>
      app.commands.product.create({ name: 'Concurrent', price: '4.00' }, keyed('k-concurrent'))));
    const created = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(created).to.have.length(1);
    const body = JSON.stringify({ product: (created[0] as PromiseFulfilledResult<ProductProjection>).value });
    expect(refused.map((o) => (o.reason as { code?: string }).code)).to.deep.equal(Array(9).fill('IDEMPOTENCY_KEY_USED'));
    for (const o of refused) expect((o.reason as KeyAlreadyUsed).stored.answer).to.deep.equal({ status: 201, body });
    expect(await named('Concurrent')).to.equal(1);
    expect(await lastPosition()).to.equal(events + 1);
  });

  it('a command meeting its key in flight waits for it: the first one rolled back, the second runs', async () => {
    const first = await PooledTransaction.begin(app.knex);
    let second: Promise<ProductProjection> | undefined;
    try {
      await app.idempotency.claim(first, 'k-in-flight', PRINT_A);
      second = app.commands.product.create({ name: 'After a rollback', price: '1.00' }, keyed('k-in-flight', PRINT_B));
      const settled = await Promise.race([second.then(() => 'settled', () => 'settled'), new Promise((r) => setTimeout(() => r('waiting'), 500))]);
      expect(settled, 'the second command waits while the key is held').to.equal('waiting');
    } finally {
      await first.rollback();
    }
    const product = await second!;
    expect(await keyRow('k-in-flight')).to.include({ fingerprint: PRINT_B, body: JSON.stringify({ product }) });
  });

  it('an expired key is absent: found by nobody, claimed afresh by the next command', async () => {
    await app.commands.product.create({ name: 'Before expiry', price: '1.00' }, keyed('k-expired'));
    await app.knex(Tables.idempotencyKeys).where({ idempotency_key: 'k-expired' }).update({ expires_at: app.knex.raw('UTC_TIMESTAMP(3) - INTERVAL 1 SECOND') });
    expect(await app.idempotency.find('k-expired')).to.equal(undefined);
    const again = await app.commands.product.create({ name: 'After expiry', price: '1.00' }, keyed('k-expired', PRINT_B));
    expect(await keyRow('k-expired')).to.include({ fingerprint: PRINT_B, body: JSON.stringify({ product: again }) });
    const [[{ live }]] = await app.knex.raw('SELECT expires_at > UTC_TIMESTAMP(3) AS live FROM idempotency_keys WHERE idempotency_key = ?', ['k-expired']);
    expect(Number(live)).to.equal(1);
  });

  it('purges expired keys oldest first, a batch at a time, and never a live one', async () => {
    const rows = (prefix: string, n: number, expires: string) => Array.from({ length: n }, (_, i) => ({
      idempotency_key: `${prefix}-${String(i).padStart(5, '0')}`, fingerprint: PRINT_A, status: 201, body: '{}',
      created_at: app.knex.raw('UTC_TIMESTAMP(3)'), expires_at: app.knex.raw(expires, [i]),
    }));
    await app.knex(Tables.idempotencyKeys).insert(rows('old', 30, 'UTC_TIMESTAMP(3) - INTERVAL 1 DAY + INTERVAL ? SECOND'));
    await app.knex(Tables.idempotencyKeys).insert(rows('live', 5, 'UTC_TIMESTAMP(3) + INTERVAL 1 HOUR + INTERVAL ? SECOND'));
    expect(await app.idempotency.purgeExpired(20)).to.equal(20);
    const left = await app.knex(Tables.idempotencyKeys).orderBy('idempotency_key').pluck('idempotency_key');
    expect(left).to.deep.equal([...Array.from({ length: 10 }, (_, i) => `old-${String(20 + i).padStart(5, '0')}`), ...Array.from({ length: 5 }, (_, i) => `live-${String(i).padStart(5, '0')}`)].sort());
    expect(await app.idempotency.purgeExpired(20)).to.equal(10);
    expect(await app.idempotency.purgeExpired(20)).to.equal(0);
    expect(await keyRows()).to.equal(5);
    expect(PURGE_BATCH).to.equal(1_000);
  });

  it('a keyed command purges expired keys after its commit (a fresh application: its first purge is due)', async () => {
    await app.knex(Tables.idempotencyKeys).insert(Array.from({ length: 3 }, (_, i) => ({
      idempotency_key: `stale-${i}`, fingerprint: PRINT_A, status: 201, body: '{}',
      created_at: app.knex.raw('UTC_TIMESTAMP(3) - INTERVAL 2 DAY'), expires_at: app.knex.raw('UTC_TIMESTAMP(3) - INTERVAL 1 DAY'),
    })));
    const fresh = await createTestApp();
    try {
      await fresh.commands.product.create({ name: 'Purging', price: '1.00' }, keyed('k-purging'));
      expect(await app.knex(Tables.idempotencyKeys).orderBy('idempotency_key').pluck('idempotency_key')).to.deep.equal(['k-purging']);
    } finally {
      await fresh.close();
    }
  });
});

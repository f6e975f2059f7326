import { expect } from 'chai';
import type { Knex } from 'knex';
import { createKnex } from '../../../../core/db/connection.js';
import { inTransaction, insertRow, PooledTransaction, updateRow, type WriteResult } from '../../../../core/db/SqlTransaction.js';
import { isUnavailable } from '../../../../core/errors.js';

// The commands' transaction (core/db/SqlTransaction.ts) on the real MariaDB: a connection of knex's pool, statements
// sent as written, committed or rolled back whole, the connection always given back, knex's query events emitted.

describe('PooledTransaction: a command\'s transaction on a connection of the pool', function () {
  this.timeout(30_000);
  let knex: Knex;
  const table = 'sql_transaction_test';

  before(async () => {
    knex = createKnex(process.env.MYSQL_URL!, { poolMax: 2 });
    await knex.schema.dropTableIfExists(table);
    await knex.schema.createTable(table, (t) => {
      t.increments('id');
      t.string('name').notNullable().unique();
    });
  });
  after(async () => {
    await knex.schema.dropTableIfExists(table);
    await knex.destroy();
  });
  beforeEach(() => knex(table).truncate());

  const names = async () => (await knex(table).orderBy('id').select('name')).map((r: { name: string }) => r.name);

  it('commits what the work wrote when it resolves; inserts give their ids, updates the rows they matched', async () => {
    const result = await inTransaction(knex, async (trx) => {
      const a = await insertRow(trx, table, { name: 'a' });
      const b = await insertRow(trx, table, { name: 'b' });
      return { a, b, renamed: await updateRow(trx, table, b, { name: 'b2' }), missing: await updateRow(trx, table, 999, { name: 'x' }) };
    });
    expect(result).to.deep.equal({ a: 1, b: 2, renamed: 1, missing: 0 });
    expect(await names()).to.deep.equal(['a', 'b2']);
  });

  it('rolls back everything when the work rejects, and rethrows its error', async () => {
    const failed = await inTransaction(knex, async (trx) => {
      await insertRow(trx, table, { name: 'kept?' });
      await insertRow(trx, table, { name: 'kept?' }); // the unique name: ER_DUP_ENTRY
    }).then(() => undefined, (err: { code?: string }) => err);
    expect(failed?.code).to.equal('ER_DUP_ENTRY');
    expect(await names()).to.deep.equal([]);
  });

  it('gives its connection back every time: more transactions than the pool has connections, failing or not', async () => {
    for (let i = 0; i < 6; i++) {
      await inTransaction(knex, (trx) => insertRow(trx, table, { name: `ok ${i}` }));
      await inTransaction(knex, () => Promise.reject(new Error('work failed'))).catch(() => undefined);
    }
    // A pool of two: a leaked connection would make the next acquire wait for knex's acquire timeout and fail.
    expect(await names()).to.have.length(6);
    expect((knex.client as { pool: { numUsed(): number } }).pool.numUsed(), 'connections still taken').to.equal(0);
  });

  it('another connection does not see uncommitted rows; a statement after the end is refused', async () => {
    const trx = await PooledTransaction.begin(knex);
    await trx.query(`INSERT INTO ${table} (name) VALUES (?)`, ['pending']);
    expect(await names(), 'seen from the pool before the commit').to.deep.equal([]);
    await trx.commit();
    expect(await names()).to.deep.equal(['pending']);
    const after = await trx.query('SELECT 1').then(() => undefined, (err: Error) => err);
    expect(after?.message).to.equal('the transaction has ended');
  });

  it('sends no BEGIN of its own: the start goes with the first statement; each round trip announced on knex as knex does (the MySQL histogram)', async () => {
    const seen: string[] = [];
    const started = (q: { sql: string }) => seen.push(`query ${q.sql}`);
    const answered = (_: unknown, q: { sql: string }) => seen.push(`response ${q.sql}`);
    knex.on('query', started).on('query-response', answered);
    try {
      await inTransaction(knex, (trx) => trx.query<WriteResult>(`INSERT INTO ${table} (name) VALUES (?)`, ['watched']));
    } finally {
      knex.removeListener('query', started).removeListener('query-response', answered);
    }
    const first = `BEGIN NOT ATOMIC START TRANSACTION; INSERT INTO ${table} (name) VALUES (?); END`;
    expect(seen).to.deep.equal([`query ${first}`, `response ${first}`, 'query COMMIT', 'response COMMIT']);
  });

  it('commitAfter: the last statements and the COMMIT in one round trip; a failure among them rolls all back', async () => {
    const trx = await PooledTransaction.begin(knex);
    await insertRow(trx, table, { name: 'first' });
    const rows = await trx.commitAfter<{ id: number }>([{ sql: `INSERT INTO ${table} (name) VALUES (?) RETURNING id`, values: ['last'] }]);
    expect(rows).to.deep.equal([{ id: 2 }]);
    expect(await names()).to.deep.equal(['first', 'last']);
    const failing = await PooledTransaction.begin(knex);
    await insertRow(failing, table, { name: 'undone' });
    const failed = await failing.commitAfter([{ sql: `INSERT INTO ${table} (name) VALUES (?)`, values: ['first'] }]).then(() => undefined, (err: { code?: string }) => err);
    expect(failed?.code).to.equal('ER_DUP_ENTRY');
    expect(await names(), 'the statement before the failing one rolled back too').to.deep.equal(['first', 'last']);
    expect((knex.client as { pool: { numUsed(): number } }).pool.numUsed(), 'connections still taken').to.equal(0);
  });

  it('its connection killed mid-transaction: an error classified as MySQL unavailable, nothing written, the pool serves on', async () => {
    const trx = await PooledTransaction.begin(knex);
    const [{ id }] = await trx.query<[{ id: number }]>('SELECT CONNECTION_ID() AS id');
    await trx.query(`INSERT INTO ${table} (name) VALUES (?)`, ['lost']);
    await knex.raw(`KILL CONNECTION ${Number(id)}`);
    const failed = await trx.commit().then(() => undefined, (err: unknown) => err);
    expect(isUnavailable(failed), String(failed)).to.equal(true);
    expect(await names()).to.deep.equal([]);
    await inTransaction(knex, (trx2) => insertRow(trx2, table, { name: 'after' }));
    expect(await names()).to.deep.equal(['after']);
  });
});

import { expect } from 'chai';
import type { Knex } from 'knex';
import { createKnex } from '../../../../core/db/connection.js';
import { inTransaction, PooledTransaction, type SqlTransaction } from '../../../../core/db/SqlTransaction.js';

// Statements sent as one compound statement (core/db/CompoundStatement.ts): on the real MariaDB, in the caller's
// transaction, stopped by the first that fails, the rows of the one that returns rows, one round trip.

describe('batch: statements in one round trip (a compound statement)', function () {
  this.timeout(30_000);
  let knex: Knex;
  const table = 'compound_statement_test';

  before(async () => {
    knex = createKnex(process.env.MYSQL_URL!, { poolMax: 3 });
    await knex.schema.dropTableIfExists(table);
    await knex.schema.createTable(table, (t) => {
      t.increments('id');
      t.string('name').notNullable().unique();
      t.integer('n').notNullable().defaultTo(0);
    });
  });
  after(async () => {
    await knex.schema.dropTableIfExists(table);
    await knex.destroy();
  });
  beforeEach(async () => {
    await knex(table).truncate();
    await knex(table).insert({ name: 'counter', n: 0 });
  });

  const questions = async (trx: SqlTransaction) => Number((await trx.query<Array<{ Value: string }>>("SHOW SESSION STATUS LIKE 'Questions'"))[0]!.Value);

  it('runs every statement, in order, as one statement sent; resolves with the RETURNING rows', async () => {
    await inTransaction(knex, async (trx) => {
      const before = await questions(trx);
      const rows = await trx.batch<{ id: number; name: string }>([
        { sql: `UPDATE ${table} SET n = n + ? WHERE name = 'counter'`, values: [5] },
        { sql: `UPDATE ${table} SET n = n * ? WHERE name = 'counter'`, values: [3] },
        { sql: `INSERT INTO ${table} (name) VALUES (?), (?) RETURNING id, name`, values: ['a?', "b'; DROP TABLE x; --"] },
      ]);
      // The SHOW itself counts as one question: one more is the block.
      expect(await questions(trx) - before, 'statements sent').to.equal(2);
      expect(rows.map((r) => r.name)).to.deep.equal(['a?', "b'; DROP TABLE x; --"]);
    });
    expect(await knex(table).where({ name: 'counter' }).first('n')).to.deep.equal({ n: 15 });
    expect(await knex(table).count({ c: '*' })).to.deep.equal([{ c: 3 }]);
  });

  it("runs in the caller's transaction: a rollback after the block undoes all of it", async () => {
    const trx = await PooledTransaction.begin(knex);
    await trx.batch([
      { sql: `UPDATE ${table} SET n = n + 1 WHERE name = 'counter'`, values: [] },
      { sql: `INSERT INTO ${table} (name) VALUES (?)`, values: ['rolled back'] },
    ]);
    await trx.rollback();
    expect(await knex(table).orderBy('id').select('name', 'n')).to.deep.equal([{ name: 'counter', n: 0 }]);
  });

  it('the first statement that fails stops the block with its own error; the ones after it do not run', async () => {
    const trx = await PooledTransaction.begin(knex);
    try {
      const failed = await trx.batch([
        { sql: `UPDATE ${table} SET n = n + 1 WHERE name = 'counter'`, values: [] },
        { sql: `INSERT INTO ${table} (name) VALUES (?)`, values: ['counter'] }, // the unique name is taken
        { sql: `INSERT INTO ${table} (name) VALUES (?)`, values: ['after the failure'] },
      ]).then(() => undefined, (err: { code?: string }) => err);
      expect(failed?.code).to.equal('ER_DUP_ENTRY');
      // NOT ATOMIC: the statement before the failure stands in the transaction, as if sent alone.
      expect((await trx.query<Array<{ name: string; n: number }>>(`SELECT name, n FROM ${table} ORDER BY id`)).map((r) => ({ ...r }))).to.deep.equal([{ name: 'counter', n: 1 }]);
    } finally {
      await trx.rollback();
    }
  });

  it('one statement is sent as itself; none sends nothing', async () => {
    await inTransaction(knex, async (trx) => {
      const before = await questions(trx);
      expect(await trx.batch([])).to.deep.equal([]);
      const rows = await trx.batch<{ id: number }>([{ sql: `INSERT INTO ${table} (name) VALUES (?) RETURNING id`, values: ['alone'] }]);
      expect(rows).to.have.length(1);
      expect(await questions(trx) - before).to.equal(2);
    });
  });
});

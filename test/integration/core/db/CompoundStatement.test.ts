import { expect } from 'chai';
import type { Knex } from 'knex';
import { createKnex } from '../../../../core/db/connection.js';
import { runAsOne, statementOf } from '../../../../core/db/CompoundStatement.js';

// Statements sent as one compound statement (core/db/CompoundStatement.ts): on the real MariaDB, in the caller's
// transaction, stopped by the first that fails, the rows of the one that returns rows, one round trip.

describe('runAsOne: statements in one round trip', function () {
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

  const questions = async (trx: Knex.Transaction) => Number((await trx.raw("SHOW SESSION STATUS LIKE 'Questions'"))[0][0].Value);

  it('runs every statement, in order, as one statement sent; resolves with the RETURNING rows', async () => {
    await knex.transaction(async (trx) => {
      const before = await questions(trx);
      const rows = await runAsOne<{ id: number; name: string }>(trx, [
        statementOf(trx(table).where({ name: 'counter' }).increment('n', 5)),
        statementOf(trx(table).where({ name: 'counter' }).update({ n: trx.raw('n * ?', [3]) })),
        { sql: `INSERT INTO ${table} (name) VALUES (?), (?) RETURNING id, name`, bindings: ['a?', "b'; DROP TABLE x; --"] },
      ]);
      // The SHOW itself counts as one question: one more is the block.
      expect(await questions(trx) - before, 'statements sent').to.equal(2);
      expect(rows.map((r) => r.name)).to.deep.equal(['a?', "b'; DROP TABLE x; --"]);
    });
    expect(await knex(table).where({ name: 'counter' }).first('n')).to.deep.equal({ n: 15 });
    expect(await knex(table).count({ c: '*' })).to.deep.equal([{ c: 3 }]);
  });

  it("runs in the caller's transaction: a rollback after the block undoes all of it", async () => {
    const trx = await knex.transaction();
    await runAsOne(trx, [
      statementOf(trx(table).where({ name: 'counter' }).increment('n', 1)),
      statementOf(trx(table).insert({ name: 'rolled back' })),
    ]);
    await trx.rollback();
    expect(await knex(table).orderBy('id').select('name', 'n')).to.deep.equal([{ name: 'counter', n: 0 }]);
  });

  it('the first statement that fails stops the block with its own error; the ones after it do not run', async () => {
    const trx = await knex.transaction();
    try {
      const failed = await runAsOne(trx, [
        statementOf(trx(table).where({ name: 'counter' }).increment('n', 1)),
        statementOf(trx(table).insert({ name: 'counter' })), // the unique name is taken
        statementOf(trx(table).insert({ name: 'after the failure' })),
      ]).then(() => undefined, (err: { code?: string }) => err);
      expect(failed?.code).to.equal('ER_DUP_ENTRY');
      // NOT ATOMIC: the statement before the failure stands in the transaction, as if sent alone.
      expect(await trx(table).orderBy('id').select('name', 'n')).to.deep.equal([{ name: 'counter', n: 1 }]);
    } finally {
      await trx.rollback();
    }
  });

  it('one statement is sent as itself; none sends nothing', async () => {
    await knex.transaction(async (trx) => {
      const before = await questions(trx);
      expect(await runAsOne(trx, [])).to.deep.equal([]);
      const rows = await runAsOne<{ id: number }>(trx, [{ sql: `INSERT INTO ${table} (name) VALUES (?) RETURNING id`, bindings: ['alone'] }]);
      expect(rows).to.have.length(1);
      expect(await questions(trx) - before).to.equal(2);
    });
  });
});

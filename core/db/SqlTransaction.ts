import type { Knex } from 'knex';
import { compoundResult, compoundStatement, type SqlStatement } from './CompoundStatement.js';

/** What a write statement resolves with (mysql2's header). */
export interface WriteResult {
  readonly affectedRows: number;
}

/** A transaction its statements are sent to as written, with `?` placeholders for their values. */
export interface SqlTransaction {
  query<T = unknown>(sql: string, values?: readonly unknown[]): Promise<T>;
  /**
   * Statements in one round trip (core/db/CompoundStatement.ts), resolving with the rows of the one that returns
   * rows (none when none does).
   */
  batch<Row>(statements: readonly SqlStatement[]): Promise<Row[]>;
}

interface MysqlConnection {
  query(sql: string, values: readonly unknown[], done: (err: Error | null, result: unknown) => void): void;
}

/** Statements sent so far, for the ids of knex's query events. */
let statementsSent = 0;

/**
 * A transaction on one connection of knex's pool, its statements sent straight to mysql2: no query builder and no
 * knex transaction object. Commands use it (core/commands/CommandExecutor.ts): on these machines knex's builders
 * and transaction cost about as much CPU per statement as the round trip itself (a 5-statement transaction: about
 * 500 µs through knex, 230 through mysql2, measured alike), and a command is a few statements and nothing else.
 *
 * Round trips are what a command pays for here, so the transaction has none of its own: `START TRANSACTION` goes
 * in one compound statement with the first statement, and `COMMIT` may go with the last ones (`commitAfter`).
 * Each statement is announced on the knex instance as knex's own are (`query`, then `query-response` or
 * `query-error`), so what watches knex's queries (the MySQL round-trip histogram) sees these too.
 */
export class PooledTransaction implements SqlTransaction {
  private started = false;
  private released = false;

  private constructor(private readonly knex: Knex, private readonly connection: MysqlConnection) {}

  /** Takes a connection (knex's pool: its size, its acquire timeout, its check of a connection); nothing is sent yet. */
  static async begin(knex: Knex): Promise<PooledTransaction> {
    return new PooledTransaction(knex, await knex.client.acquireConnection() as MysqlConnection);
  }

  /** One statement; the first one carries the transaction's start. */
  query<T = unknown>(sql: string, values: readonly unknown[] = []): Promise<T> {
    return this.send([{ sql, values }], false) as Promise<T>;
  }

  async batch<Row>(statements: readonly SqlStatement[]): Promise<Row[]> {
    const result = await this.send(statements, false);
    return Array.isArray(result) ? result as Row[] : [];
  }

  /**
   * The last statements and the COMMIT in one round trip, then the connection back to the pool; resolves with the
   * rows of the statement that returns rows. When any of them fails, the transaction is rolled back.
   */
  async commitAfter<Row>(statements: readonly SqlStatement[]): Promise<Row[]> {
    let rows: Row[];
    try {
      const result = await this.send(statements, true);
      rows = Array.isArray(result) ? result as Row[] : [];
    } catch (err) {
      await this.rollback();
      throw err;
    }
    await this.release();
    return rows;
  }

  /** COMMIT (when a statement was sent), then the connection back to the pool; once ended (`commitAfter`), nothing. */
  async commit(): Promise<void> {
    if (this.released) return;
    if (this.started) await this.commitAfter([]);
    else await this.release();
  }

  /** ROLLBACK if the connection can still take it, then the connection back to the pool; once ended, nothing. */
  async rollback(): Promise<void> {
    if (this.released) return;
    try {
      if (this.started) await this.statement({ sql: 'ROLLBACK', values: [] });
    } catch {
      // A connection lost or killed has rolled back on the server already.
    } finally {
      await this.release();
    }
  }

  private async send(statements: readonly SqlStatement[], commit: boolean): Promise<unknown> {
    if (this.released) throw new Error('the transaction has ended');
    const all = [
      ...(this.started ? [] : [{ sql: 'START TRANSACTION', values: [] }]),
      ...statements,
      ...(commit ? [{ sql: 'COMMIT', values: [] }] : []),
    ];
    if (all.length === 0) return [];
    this.started = true; // whatever the answer: a ROLLBACK of no transaction is harmless
    if (all.length === 1) return this.statement(all[0]!);
    return compoundResult(await this.statement(compoundStatement(all)));
  }

  private statement(statement: SqlStatement): Promise<unknown> {
    const event = { sql: statement.sql, bindings: statement.values, __knexQueryUid: `sql-${++statementsSent}` };
    this.knex.emit('query', event);
    return new Promise((resolve, reject) => {
      this.connection.query(statement.sql, statement.values, (err, result) => {
        if (err) {
          this.knex.emit('query-error', err, event);
          reject(err);
        } else {
          this.knex.emit('query-response', result, event);
          resolve(result);
        }
      });
    });
  }

  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.knex.client.releaseConnection(this.connection);
  }
}

/**
 * `work` in a transaction: committed when it resolves (unless it committed itself with `commitAfter`), rolled back
 * (and its error rethrown) when it rejects.
 */
export async function inTransaction<R>(knex: Knex, work: (trx: PooledTransaction) => Promise<R>): Promise<R> {
  const trx = await PooledTransaction.begin(knex);
  let result: R;
  try {
    result = await work(trx);
  } catch (err) {
    await trx.rollback();
    throw err;
  }
  await trx.commit();
  return result;
}

/** `INSERT INTO table (columns) VALUES (…), (…)` for rows of the same columns (named by the code, never by input). */
export function insertStatement(table: string, rows: readonly Readonly<Record<string, unknown>>[]): SqlStatement {
  const columns = Object.keys(rows[0]!);
  const placeholders = `(${columns.map(() => '?').join(', ')})`;
  return {
    sql: `INSERT INTO \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES ${rows.map(() => placeholders).join(', ')}`,
    values: rows.flatMap((row) => columns.map((c) => row[c])),
  };
}

/** Inserts one row; resolves with its AUTO_INCREMENT id (RETURNING: a compound statement reports no insert id). */
export async function insertRow(trx: SqlTransaction, table: string, row: Readonly<Record<string, unknown>>): Promise<number> {
  const { sql, values } = insertStatement(table, [row]);
  const [inserted] = await trx.query<Array<{ id: number }>>(`${sql} RETURNING id`, values);
  return Number(inserted!.id);
}

/** `UPDATE table SET …` of `changes` on the row with this id; resolves with the rows it matched. */
export async function updateRow(trx: SqlTransaction, table: string, id: number, changes: Readonly<Record<string, unknown>>): Promise<number> {
  const columns = Object.keys(changes);
  const sql = `UPDATE \`${table}\` SET ${columns.map((c) => `\`${c}\` = ?`).join(', ')} WHERE id = ?`;
  return (await trx.query<WriteResult>(sql, [...columns.map((c) => changes[c]), id])).affectedRows;
}

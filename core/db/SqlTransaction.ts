import type { Knex } from 'knex';

/** What a statement sent with mysql2's `query` resolves with: rows, or a write's header. */
export interface WriteResult {
  readonly insertId: number;
  readonly affectedRows: number;
}

/** A transaction its statements are sent to as written, with `?` placeholders for their values. */
export interface SqlTransaction {
  query<T = unknown>(sql: string, values?: readonly unknown[]): Promise<T>;
}

interface MysqlConnection {
  query(sql: string, values: readonly unknown[], done: (err: Error | null, result: unknown) => void): void;
}

/**
 * A transaction on one connection of knex's pool, its statements sent straight to mysql2: no query builder and no
 * knex transaction object. Commands use it (core/commands/CommandExecutor.ts): on these machines knex's builders
 * and transaction cost about as much CPU per statement as the round trip itself (a 5-statement transaction: about
 * 500 µs through knex, 230 through mysql2, measured alike), and a command is a few statements and nothing else.
 * Each statement is announced on the knex instance as knex's own are (`query`, then `query-response` or
 * `query-error`), so what watches knex's queries (the MySQL round-trip histogram) sees these too.
 */
let statements = 0;

export class PooledTransaction implements SqlTransaction {
  private released = false;

  private constructor(private readonly knex: Knex, private readonly connection: MysqlConnection) {}

  /** Takes a connection (knex's pool: its size, its acquire timeout, its check of a connection) and sends BEGIN. */
  static async begin(knex: Knex): Promise<PooledTransaction> {
    const connection = await knex.client.acquireConnection() as MysqlConnection;
    const trx = new PooledTransaction(knex, connection);
    try {
      await trx.query('BEGIN');
    } catch (err) {
      await trx.release();
      throw err;
    }
    return trx;
  }

  query<T = unknown>(sql: string, values: readonly unknown[] = []): Promise<T> {
    if (this.released) return Promise.reject(new Error('the transaction has ended'));
    const event = { sql, bindings: values, __knexQueryUid: `sql-${++statements}` };
    this.knex.emit('query', event);
    return new Promise<T>((resolve, reject) => {
      this.connection.query(sql, values, (err, result) => {
        if (err) {
          this.knex.emit('query-error', err, event);
          reject(err);
        } else {
          this.knex.emit('query-response', result, event);
          resolve(result as T);
        }
      });
    });
  }

  /**
   * COMMIT, then the connection back to the pool (a connection that failed is checked and dropped by the pool). A
   * COMMIT that failed is followed by a ROLLBACK: no connection goes back to the pool inside a transaction.
   */
  async commit(): Promise<void> {
    try {
      await this.query('COMMIT');
    } catch (err) {
      await this.rollback();
      throw err;
    }
    await this.release();
  }

  /** ROLLBACK if the connection can still take it, then the connection back to the pool. */
  async rollback(): Promise<void> {
    try {
      await this.query('ROLLBACK');
    } catch {
      // A connection lost or killed has rolled back on the server already.
    } finally {
      await this.release();
    }
  }

  private async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.knex.client.releaseConnection(this.connection);
  }
}

/** `work` in a transaction: committed when it resolves, rolled back (and its error rethrown) when it rejects. */
export async function inTransaction<R>(knex: Knex, work: (trx: SqlTransaction) => Promise<R>): Promise<R> {
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
export function insertStatement(table: string, rows: readonly Readonly<Record<string, unknown>>[]): { sql: string; values: unknown[] } {
  const columns = Object.keys(rows[0]!);
  const placeholders = `(${columns.map(() => '?').join(', ')})`;
  return {
    sql: `INSERT INTO \`${table}\` (${columns.map((c) => `\`${c}\``).join(', ')}) VALUES ${rows.map(() => placeholders).join(', ')}`,
    values: rows.flatMap((row) => columns.map((c) => row[c])),
  };
}

/** Inserts one row; resolves with its AUTO_INCREMENT id. */
export async function insertRow(trx: SqlTransaction, table: string, row: Readonly<Record<string, unknown>>): Promise<number> {
  const { sql, values } = insertStatement(table, [row]);
  return (await trx.query<WriteResult>(sql, values)).insertId;
}

/** `UPDATE table SET …` of `changes` on the row with this id; resolves with the rows it matched. */
export async function updateRow(trx: SqlTransaction, table: string, id: number, changes: Readonly<Record<string, unknown>>): Promise<number> {
  const columns = Object.keys(changes);
  const sql = `UPDATE \`${table}\` SET ${columns.map((c) => `\`${c}\` = ?`).join(', ')} WHERE id = ?`;
  return (await trx.query<WriteResult>(sql, [...columns.map((c) => changes[c]), id])).affectedRows;
}

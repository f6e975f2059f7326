import type { SqlTransaction } from './SqlTransaction.js';

/** One SQL statement with `?` placeholders and its values. */
export interface SqlStatement {
  readonly sql: string;
  readonly values: readonly unknown[];
}

/**
 * Statements sent to MariaDB as one compound statement (`BEGIN NOT ATOMIC … END`): one round trip instead of one
 * each. NOT ATOMIC: the block opens no transaction or savepoint of its own, its statements run in the caller's
 * transaction as if sent one by one, and the first that fails stops the block with that statement's error. Resolves
 * with the rows of the statement that returns rows (a RETURNING or a SELECT; at most one should), else none.
 *
 * Why: on a machine where a socket write costs tens of microseconds of CPU, a command's round trips, not its SQL,
 * are most of a runtime's cost per command (docs/WRITE-PATH.md). MariaDB only; one statement is sent as itself.
 */
export async function runAsOne<Row>(trx: SqlTransaction, statements: readonly SqlStatement[]): Promise<Row[]> {
  if (statements.length === 0) return [];
  if (statements.length === 1) {
    const result = await trx.query(statements[0]!.sql, statements[0]!.values);
    return Array.isArray(result) ? result as Row[] : [];
  }
  const sql = `BEGIN NOT ATOMIC ${statements.map((s) => `${s.sql};`).join(' ')} END`;
  const results = await trx.query(sql, statements.flatMap((s) => s.values));
  // Each result set the block returned, then the block's own status; or that status alone.
  const rows = Array.isArray(results) ? results.find((r) => Array.isArray(r)) : undefined;
  return (rows ?? []) as Row[];
}

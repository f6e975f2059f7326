/** One SQL statement with `?` placeholders and its values. */
export interface SqlStatement {
  readonly sql: string;
  readonly values: readonly unknown[];
}

/**
 * Statements as one MariaDB compound statement (`BEGIN NOT ATOMIC … END`): sent in one round trip instead of one
 * each. NOT ATOMIC: the block opens no transaction or savepoint of its own, its statements run in the connection's
 * transaction as if sent one by one, and the first that fails stops the block with that statement's own error.
 *
 * Why: on a machine where a socket write costs tens of microseconds of CPU, a command's round trips, not its SQL,
 * are most of a runtime's cost per command (docs/WRITE-PATH.md). MariaDB only.
 */
export function compoundStatement(statements: readonly SqlStatement[]): SqlStatement {
  return { sql: `BEGIN NOT ATOMIC ${statements.map((s) => `${s.sql};`).join(' ')} END`, values: statements.flatMap((s) => s.values) };
}

/**
 * What a compound statement answered, as its statement that returns rows (a RETURNING or a SELECT; at most one
 * should) would have answered alone: its rows; else the block's own status (affected rows of its last statement).
 */
export function compoundResult(result: unknown): unknown {
  return Array.isArray(result) ? result.find((r) => Array.isArray(r)) ?? [] : result;
}

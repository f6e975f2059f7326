import type { Knex } from 'knex';
import { AppError, validationError } from '../errors.js';
import type { PageRequest } from '../pagination.js';
import type { SqlStatement } from '../db/CompoundStatement.js';
import { Tables } from '../db/tables.js';
import type { AggregateType } from '../model/catalogue.js';

/** What one request may cost the database (the Config fields of the same names). */
export interface DbReadLimits {
  /** Largest `offset` a list answers; deeper pages are read with the cursor (`after`). */
  readonly dbMaxOffset: number;
  /** Statement time limit of a request's SELECTs, in ms; 0 none. */
  readonly mysqlStatementTimeoutMs: number;
}

/** Runs one SELECT and gives its rows. */
export type Select = <T>(query: Knex.QueryBuilder) => Promise<T[]>;

/** A SELECT as knex runs it: the rebuild's, the projector's and the CLIs' reads, never cut. */
export const unboundedSelect: Select = async <T>(query: Knex.QueryBuilder) => (await query) as T[];

// MariaDB's ER_STATEMENT_TIMEOUT: the server stopped the statement at max_statement_time.
const STATEMENT_TIMEOUT_ERRNO = 1969;

/**
 * A request's SELECT under `SET STATEMENT max_statement_time=… FOR`: the server stops the statement itself, so
 * its work ends with it and the connection, which only got an error back, returns to the pool usable (a
 * client-side timeout would leave the query running, and knex's cancel needs a second connection to KILL it).
 */
export function boundedSelect(knex: Knex, timeoutMs: number): Select {
  if (timeoutMs <= 0) return unboundedSelect;
  const prefix = `SET STATEMENT max_statement_time=${(timeoutMs / 1000).toFixed(3)} FOR `;
  return async <T>(query: Knex.QueryBuilder) => {
    const { sql, bindings } = query.toSQL();
    try {
      const [rows] = (await knex.raw(prefix + sql, bindings as readonly Knex.Value[])) as [T[], unknown];
      return rows;
    } catch (err) {
      if ((err as { errno?: unknown }).errno === STATEMENT_TIMEOUT_ERRNO) {
        throw new AppError('QUERY_TIMEOUT', `The database query took longer than ${timeoutMs} ms and was stopped; ` +
          'read deep pages with the cursor (?after=<the last id of the previous page>) rather than a large offset', [], { cause: err });
      }
      throw err;
    }
  };
}

/** Refuses an offset deeper than the database routes serve (DB_MAX_OFFSET), pointing at the cursor. */
export function checkDbOffset(request: PageRequest, maxOffset: number): void {
  if (request.kind === 'offset' && request.offset > maxOffset) {
    throw validationError([{ field: 'offset', message: `must be at most ${maxOffset} on the database routes; page deeper with after=<the last id of the previous page>` }]);
  }
}

/** Applies a page request to a query ordered by `idColumn`: the first page and cursor pages, a primary-key range. */
export function applyPage<Q extends Knex.QueryBuilder>(query: Q, idColumn: string, request: PageRequest): Q {
  query.orderBy(idColumn, 'asc').limit(request.limit);
  if (request.kind === 'after') query.where(idColumn, '>', request.after);
  else if (request.offset > 0) query.offset(request.offset);
  return query;
}

/** Whether a page is read by a deferred join (pageIdsQuery) rather than by applyPage on the rows. */
export function byDeferredJoin(request: PageRequest): request is Extract<PageRequest, { kind: 'offset' }> {
  return request.kind === 'offset' && request.offset > 0;
}

/** The narrow index each list's deferred join reads its ids from (migration 004_list_order_indexes). */
const LIST_ORDER_INDEXES: Readonly<Record<string, string>> = {
  [Tables.products]: 'products_live_id',
  [Tables.customers]: 'customers_live_id',
  [Tables.orders]: 'orders_list_id',
};

/**
 * The ids of a page at an offset, in id order, read from the table's list-order index ((deleted_at, id), or id
 * for orders, which have no soft delete) and not from the rows: the inner query of a deferred join. The OFFSET
 * steps over every entry before the page, and an index entry is a fraction of a row (text columns and all).
 * The index is forced: on orders the optimiser prefers the primary key, which is the rows themselves.
 */
export function pageIdsQuery(knex: Knex, table: string, softDeleted: boolean, request: Extract<PageRequest, { kind: 'offset' }>): Knex.QueryBuilder {
  const query = knex.select('id').from(knex.raw('?? FORCE INDEX (??)', [table, LIST_ORDER_INDEXES[table]!]))
    .orderBy('id', 'asc').limit(request.limit).offset(request.offset);
  if (softDeleted) query.whereNull('deleted_at');
  return query;
}

/** Slots of each entity's live count (the rows migration 006 made): a command adds to one, a count sums them. */
export const LIVE_COUNT_SLOTS = 32;

/** Live row count kept by the commands (a primary-key range of 32 rows, not a COUNT(*)). */
export async function liveCount(db: Knex | Knex.Transaction, type: AggregateType, select: Select = unboundedSelect): Promise<number> {
  const [row] = await select<{ live_count: number | string | null }>(db(Tables.aggregateCounts).where({ aggregate_type: type }).sum({ live_count: 'live_count' }));
  return row?.live_count ? Number(row.live_count) : 0;
}

/**
 * The statement that adds `delta` to the slot of the transaction's connection: concurrent commands hold different
 * rows to their commits (one row would make them commit one at a time), and a pooled connection keeps its slot warm.
 * Sent by the command executor with the transaction's other last statements.
 */
export function liveCountChange(type: AggregateType, delta: number): SqlStatement {
  return {
    sql: `UPDATE ${Tables.aggregateCounts} SET live_count = live_count + ? WHERE aggregate_type = ? AND slot = CONNECTION_ID() % ?`,
    values: [delta, type, LIVE_COUNT_SLOTS],
  };
}

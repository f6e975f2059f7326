import type { Knex } from 'knex';
import type { PageRequest } from '../pagination.js';
import { Tables } from '../db/tables.js';
import type { AggregateType } from '../model/catalogue.js';


/** Applies a page request to a query ordered by `idColumn`. */
export function applyPage<Q extends Knex.QueryBuilder>(query: Q, idColumn: string, request: PageRequest): Q {
  query.orderBy(idColumn, 'asc').limit(request.limit);
  if (request.kind === 'after') query.where(idColumn, '>', request.after);
  else if (request.offset > 0) query.offset(request.offset);
  return query;
}

/** Live row count kept by the commands (a primary-key read, not a COUNT(*)). */
export async function liveCount(db: Knex | Knex.Transaction, type: AggregateType): Promise<number> {
  const row = await db(Tables.aggregateCounts).where({ aggregate_type: type }).first('live_count');
  return row ? Number(row.live_count) : 0;
}

export async function adjustLiveCount(trx: Knex.Transaction, type: AggregateType, delta: number): Promise<void> {
  await trx(Tables.aggregateCounts).where({ aggregate_type: type }).increment('live_count', delta);
}

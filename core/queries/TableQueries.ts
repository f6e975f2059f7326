import type { Knex } from 'knex';
import { notFound } from '../errors.js';
import type { AggregateType } from '../model/catalogue.js';
import type { EntityQueries } from '../model/EntityQueries.js';
import type { Page, PageRequest } from '../pagination.js';
import { applyPage, boundedSelect, byDeferredJoin, checkDbOffset, liveCount, pageIdsQuery, type DbReadLimits, type Select } from './sql.js';

/** An entity kept in one soft-deleted table whose rows build its projections one to one (products, customers). */
export interface TableModel<Row, P> {
  readonly type: AggregateType;
  readonly table: string;
  readonly columns: readonly string[];
  fromRow(row: Row): P;
}

/** The MySQL reads of a one-table entity: live rows only, pages by id, each SELECT within the statement time limit. */
export class TableQueries<Row, P> implements EntityQueries<P> {
  private readonly select: Select;

  constructor(private readonly knex: Knex, private readonly model: TableModel<Row, P>, private readonly limits: DbReadLimits) {
    this.select = boundedSelect(knex, limits.mysqlStatementTimeoutMs);
  }

  async get(id: number): Promise<P> {
    const { table, columns, type } = this.model;
    const [row] = await this.select<Row>(this.knex(table).select(columns).where({ id }).whereNull('deleted_at').limit(1));
    if (!row) throw notFound(type, id);
    return this.model.fromRow(row);
  }

  /** A page at an offset is a deferred join: its ids from the list-order index, then their rows by primary key. */
  async list(request: PageRequest): Promise<Page<P>> {
    checkDbOffset(request, this.limits.dbMaxOffset);
    const { table, columns, type } = this.model;
    const rowsQuery = byDeferredJoin(request)
      ? this.knex.select(columns.map((c) => `t.${c}`))
        .from(pageIdsQuery(this.knex, table, true, request).as('page'))
        .join(`${table} as t`, 't.id', 'page.id')
        .orderBy('page.id', 'asc')
      : applyPage(this.knex(table).select(columns).whereNull('deleted_at'), 'id', request);
    const [rows, total] = await Promise.all([this.select<Row>(rowsQuery), liveCount(this.knex, type, this.select)]);
    return { items: rows.map((row) => this.model.fromRow(row)), total };
  }
}

/** Live rows with id > afterId, by id, as projections: the rebuild's keyset scan. */
export async function liveProjectionsAfter<Row, P>(db: Knex | Knex.Transaction, model: TableModel<Row, P>, afterId: number, limit: number): Promise<P[]> {
  const rows: Row[] = await db(model.table).select(model.columns).whereNull('deleted_at').where('id', '>', afterId).orderBy('id').limit(limit);
  return rows.map((row) => model.fromRow(row));
}

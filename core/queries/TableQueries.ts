import type { Knex } from 'knex';
import { notFound } from '../errors.js';
import type { AggregateType } from '../model/catalogue.js';
import type { EntityQueries } from '../model/EntityQueries.js';
import type { Page, PageRequest } from '../pagination.js';
import { applyPage, liveCount } from './sql.js';

/** An entity kept in one soft-deleted table whose rows build its projections one to one (products, customers). */
export interface TableModel<Row, P> {
  readonly type: AggregateType;
  readonly table: string;
  readonly columns: readonly string[];
  fromRow(row: Row): P;
}

/** The MySQL reads of a one-table entity: live rows only, pages by id. */
export class TableQueries<Row, P> implements EntityQueries<P> {
  constructor(private readonly knex: Knex, private readonly model: TableModel<Row, P>) {}

  async get(id: number): Promise<P> {
    const { table, columns, type } = this.model;
    const row: Row | undefined = await this.knex(table).select(columns).where({ id }).whereNull('deleted_at').first();
    if (!row) throw notFound(type, id);
    return this.model.fromRow(row);
  }

  async list(request: PageRequest): Promise<Page<P>> {
    const { table, columns, type } = this.model;
    const [rows, total] = await Promise.all([
      applyPage(this.knex(table).select(columns).whereNull('deleted_at'), 'id', request),
      liveCount(this.knex, type),
    ]);
    return { items: (rows as Row[]).map((row) => this.model.fromRow(row)), total };
  }
}

/** Live rows with id > afterId, by id, as projections: the rebuild's keyset scan. */
export async function liveProjectionsAfter<Row, P>(db: Knex | Knex.Transaction, model: TableModel<Row, P>, afterId: number, limit: number): Promise<P[]> {
  const rows: Row[] = await db(model.table).select(model.columns).whereNull('deleted_at').where('id', '>', afterId).orderBy('id').limit(limit);
  return rows.map((row) => model.fromRow(row));
}

import type { Knex } from 'knex';
import { notFound } from '../errors.js';
import type { Page, PageRequest } from '../pagination.js';
import { Tables, type CustomerRow } from '../db/tables.js';
import { CUSTOMER_COLUMNS, CustomerProjectionBuilder, type CustomerProjection } from '../model/Customer.js';
import type { EntityQueries } from '../model/EntityQueries.js';
import { applyPage, liveCount } from './sql.js';

export class CustomerDbQueries implements EntityQueries<CustomerProjection> {
  constructor(private readonly knex: Knex) {}

  async get(id: number): Promise<CustomerProjection> {
    const row: CustomerRow | undefined = await this.knex(Tables.customers).select(CUSTOMER_COLUMNS).where({ id }).whereNull('deleted_at').first();
    if (!row) throw notFound('customer', id);
    return CustomerProjectionBuilder.fromRow(row);
  }

  async list(request: PageRequest): Promise<Page<CustomerProjection>> {
    const [rows, total] = await Promise.all([
      applyPage(this.knex(Tables.customers).select(CUSTOMER_COLUMNS).whereNull('deleted_at'), 'id', request),
      liveCount(this.knex, 'customer'),
    ]);
    return { items: (rows as CustomerRow[]).map(CustomerProjectionBuilder.fromRow), total };
  }

  static async batchAfter(db: Knex | Knex.Transaction, afterId: number, limit: number): Promise<CustomerProjection[]> {
    const rows: CustomerRow[] = await db(Tables.customers).select(CUSTOMER_COLUMNS).whereNull('deleted_at').where('id', '>', afterId).orderBy('id').limit(limit);
    return rows.map(CustomerProjectionBuilder.fromRow);
  }
}

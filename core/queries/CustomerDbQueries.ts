import type { Knex } from 'knex';
import { Tables, type CustomerRow } from '../db/tables.js';
import { CUSTOMER_COLUMNS, CustomerProjectionBuilder, type CustomerProjection } from '../model/Customer.js';
import type { DbReadLimits } from './sql.js';
import { liveProjectionsAfter, TableQueries, type TableModel } from './TableQueries.js';

const CUSTOMERS: TableModel<CustomerRow, CustomerProjection> = {
  type: 'customer', table: Tables.customers, columns: CUSTOMER_COLUMNS, fromRow: CustomerProjectionBuilder.fromRow,
};

export class CustomerDbQueries extends TableQueries<CustomerRow, CustomerProjection> {
  constructor(knex: Knex, limits: DbReadLimits) {
    super(knex, CUSTOMERS, limits);
  }

  /** Live customers with id > afterId, by id: the rebuild's keyset scan. */
  static batchAfter(db: Knex | Knex.Transaction, afterId: number, limit: number): Promise<CustomerProjection[]> {
    return liveProjectionsAfter(db, CUSTOMERS, afterId, limit);
  }
}

import type { Knex } from 'knex';
import type { CustomerRow, ProductRow } from '../db/tables.js';
import { entityOf, type AggregateType, type ProjectionOf } from '../model/catalogue.js';
import { CUSTOMER_COLUMNS, CustomerProjectionBuilder } from '../model/Customer.js';
import type { EntityQueries } from '../model/EntityQueries.js';
import { PRODUCT_COLUMNS, ProductProjectionBuilder } from '../model/Product.js';
import { OrderDbQueries } from './OrderDbQueries.js';
import type { DbReadLimits } from './sql.js';
import { liveProjectionsAfter, TableQueries, type TableModel } from './TableQueries.js';

// Every entity's reads from the write model, keyed by the catalogue's types (an entity added there is missing here
// until it has its queries). Products and customers are one table each, read by TableQueries from their catalogue
// table and their model's columns and builder; orders join their customer and items (OrderDbQueries).

function tableModel<Row, T extends AggregateType>(type: T, columns: readonly string[], fromRow: (row: Row) => ProjectionOf[T]): TableModel<Row, ProjectionOf[T]> {
  return { type, table: entityOf(type).table, columns, fromRow };
}

const TABLE_MODELS = {
  product: tableModel<ProductRow, 'product'>('product', PRODUCT_COLUMNS, ProductProjectionBuilder.fromRow),
  customer: tableModel<CustomerRow, 'customer'>('customer', CUSTOMER_COLUMNS, CustomerProjectionBuilder.fromRow),
};

/** Each entity's MySQL reads: the /db routes, and the projection routes' fallback while a read model is rebuilt. */
export type DbQueries = { readonly [T in AggregateType]: EntityQueries<ProjectionOf[T]> };

export function createDbQueries(knex: Knex, limits: DbReadLimits): DbQueries {
  return {
    product: new TableQueries(knex, TABLE_MODELS.product, limits),
    customer: new TableQueries(knex, TABLE_MODELS.customer, limits),
    order: new OrderDbQueries(knex, limits),
  };
}

/** Live projections with id > afterId, by id, at most `limit`: the rebuild's keyset scan. */
export type BatchReader<P> = (db: Knex | Knex.Transaction, afterId: number, limit: number) => Promise<P[]>;

export const BATCH_READERS: { readonly [T in AggregateType]: BatchReader<ProjectionOf[T]> } = {
  product: (db, afterId, limit) => liveProjectionsAfter(db, TABLE_MODELS.product, afterId, limit),
  customer: (db, afterId, limit) => liveProjectionsAfter(db, TABLE_MODELS.customer, afterId, limit),
  order: OrderDbQueries.batchAfter,
};

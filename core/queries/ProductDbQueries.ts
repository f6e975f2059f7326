import type { Knex } from 'knex';
import { Tables, type ProductRow } from '../db/tables.js';
import { PRODUCT_COLUMNS, ProductProjectionBuilder, type ProductProjection } from '../model/Product.js';
import type { DbReadLimits } from './sql.js';
import { liveProjectionsAfter, TableQueries, type TableModel } from './TableQueries.js';

const PRODUCTS: TableModel<ProductRow, ProductProjection> = {
  type: 'product', table: Tables.products, columns: PRODUCT_COLUMNS, fromRow: ProductProjectionBuilder.fromRow,
};

export class ProductDbQueries extends TableQueries<ProductRow, ProductProjection> {
  constructor(knex: Knex, limits: DbReadLimits) {
    super(knex, PRODUCTS, limits);
  }

  /** Live products with id > afterId, by id: the rebuild's keyset scan. */
  static batchAfter(db: Knex | Knex.Transaction, afterId: number, limit: number): Promise<ProductProjection[]> {
    return liveProjectionsAfter(db, PRODUCTS, afterId, limit);
  }
}

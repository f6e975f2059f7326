import type { Knex } from 'knex';
import { notFound } from '../errors.js';
import type { Page, PageRequest } from '../pagination.js';
import { Tables, type ProductRow } from '../db/tables.js';
import { PRODUCT_COLUMNS, ProductProjectionBuilder, type ProductProjection } from '../model/Product.js';
import type { EntityQueries } from '../model/EntityQueries.js';
import { applyPage, liveCount } from './sql.js';

export class ProductDbQueries implements EntityQueries<ProductProjection> {
  constructor(private readonly knex: Knex) {}

  async get(id: number): Promise<ProductProjection> {
    const row: ProductRow | undefined = await this.knex(Tables.products).select(PRODUCT_COLUMNS).where({ id }).whereNull('deleted_at').first();
    if (!row) throw notFound('product', id);
    return ProductProjectionBuilder.fromRow(row);
  }

  async list(request: PageRequest): Promise<Page<ProductProjection>> {
    const [rows, total] = await Promise.all([
      applyPage(this.knex(Tables.products).select(PRODUCT_COLUMNS).whereNull('deleted_at'), 'id', request),
      liveCount(this.knex, 'product'),
    ]);
    return { items: (rows as ProductRow[]).map(ProductProjectionBuilder.fromRow), total };
  }

  /** Live products with id > afterId, by id: the rebuild's keyset scan. */
  static async batchAfter(db: Knex | Knex.Transaction, afterId: number, limit: number): Promise<ProductProjection[]> {
    const rows: ProductRow[] = await db(Tables.products).select(PRODUCT_COLUMNS).whereNull('deleted_at').where('id', '>', afterId).orderBy('id').limit(limit);
    return rows.map(ProductProjectionBuilder.fromRow);
  }
}

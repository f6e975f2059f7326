import type { ProductRow } from '../db/tables.js';
import { formatMoney } from '../money.js';
import { sqlToIso } from '../time.js';

/** The columns a product's projection is built from. */
export const PRODUCT_COLUMNS: readonly string[] = Object.freeze(['id', 'name', 'description', 'price_cents', 'created_at']);

/** A product as the API shows it, from MySQL or from Redis alike. */
export interface ProductProjection {
  id: number;
  name: string;
  description: string;
  price: string;
  created_at: string;
}

export const ProductProjectionBuilder = {
  fromRow(row: ProductRow): ProductProjection {
    return {
      id: row.id,
      name: row.name,
      description: row.description,
      price: formatMoney(row.price_cents),
      created_at: sqlToIso(row.created_at),
    };
  },
};

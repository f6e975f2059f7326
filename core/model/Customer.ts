import type { CustomerRow } from '../db/tables.js';
import { sqlToIso } from '../time.js';

/** The columns a customer's projection is built from. */
export const CUSTOMER_COLUMNS: readonly string[] = Object.freeze(['id', 'name', 'email', 'address', 'city', 'postal_code', 'country', 'created_at']);

/** A customer as the API shows it, from MySQL or from Redis alike. */
export interface CustomerProjection {
  id: number;
  name: string;
  email: string;
  address: string;
  city: string;
  postal_code: string;
  country: string;
  created_at: string;
}

export const CustomerProjectionBuilder = {
  fromRow(row: CustomerRow): CustomerProjection {
    return {
      id: row.id,
      name: row.name,
      email: row.email,
      address: row.address,
      city: row.city,
      postal_code: row.postal_code,
      country: row.country,
      created_at: sqlToIso(row.created_at),
    };
  },
};

import { z } from 'zod';
import { notFound } from '../errors.js';
import { insertRow, updateRow } from '../db/SqlTransaction.js';
import { Tables, type ProductRow } from '../db/tables.js';
import { PRODUCT_COLUMNS, ProductProjectionBuilder, type ProductProjection } from '../model/Product.js';
import { nowSql, toSqlDateTime } from '../time.js';
import { money, text, timestamp, validate } from '../validation.js';
import type { CommandExecutor } from './CommandExecutor.js';
import type { IdempotentCommand } from './IdempotencyStore.js';
import { softDelete } from './softDelete.js';

const MAX_PRICE_CENTS = 100_000_000; // 1,000,000.00

const CreateProduct = z.strictObject({
  name: text(255),
  description: text(5000, { allowEmpty: true }).optional(),
  price: money(MAX_PRICE_CENTS),
  created_at: timestamp().optional(),
});

const UpdateProduct = z
  .strictObject({
    name: text(255).optional(),
    description: text(5000, { allowEmpty: true }).optional(),
    price: money(MAX_PRICE_CENTS).optional(),
  })
  .refine((v) => v.name !== undefined || v.description !== undefined || v.price !== undefined, {
    message: 'give at least one of name, description, price',
  });

export class ProductCommands {
  constructor(private readonly executor: CommandExecutor) {}

  async create(body: unknown, idempotent?: IdempotentCommand<ProductProjection>): Promise<ProductProjection> {
    const input = validate(CreateProduct, body);
    return this.executor.execute(async (trx) => {
      const now = nowSql();
      const row = {
        name: input.name,
        description: input.description ?? '',
        price_cents: input.price,
        created_at: input.created_at ? toSqlDateTime(input.created_at) : now,
      };
      const id = await insertRow(trx, Tables.products, { ...row, updated_at: now });
      const product = ProductProjectionBuilder.fromRow({ id, ...row });
      return { result: product, events: [{ type: 'ProductCreated', aggregateType: 'product', aggregateId: id, payload: product }], liveCount: { type: 'product', delta: 1 } };
    }, idempotent);
  }

  async update(id: number, body: unknown, idempotent?: IdempotentCommand<ProductProjection>): Promise<ProductProjection> {
    const input = validate(UpdateProduct, body);
    return this.executor.execute(async (trx) => {
      const [current] = await trx.query<ProductRow[]>(`SELECT ${PRODUCT_COLUMNS.join(', ')} FROM ${Tables.products} WHERE id = ? AND deleted_at IS NULL FOR UPDATE`, [id]);
      if (!current) throw notFound('product', id);
      const changes = {
        ...(input.name !== undefined && { name: input.name }),
        ...(input.description !== undefined && { description: input.description }),
        ...(input.price !== undefined && { price_cents: input.price }),
      };
      await updateRow(trx, Tables.products, id, { ...changes, updated_at: nowSql() });
      const product = ProductProjectionBuilder.fromRow({ ...current, ...changes });
      return { result: product, events: [{ type: 'ProductUpdated', aggregateType: 'product', aggregateId: id, payload: product }] };
    }, idempotent);
  }

  /** Soft delete: the product leaves the catalogue; orders that hold it keep showing it. */
  async delete(id: number, idempotent?: IdempotentCommand<{ id: number }>): Promise<{ id: number }> {
    return this.executor.execute((trx) => softDelete(trx, 'product', id), idempotent);
  }
}

import { z } from 'zod';
import { AppError } from '../errors.js';
import { insertRow } from '../db/SqlTransaction.js';
import { Tables } from '../db/tables.js';
import { CustomerProjectionBuilder, type CustomerProjection } from '../model/Customer.js';
import { nowSql, toSqlDateTime } from '../time.js';
import { text, timestamp, validate } from '../validation.js';
import type { CommandExecutor } from './CommandExecutor.js';
import type { IdempotentCommand } from './IdempotencyStore.js';
import { softDelete } from './softDelete.js';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const CreateCustomer = z.strictObject({
  name: text(255),
  email: text(255).refine((v) => EMAIL.test(v), 'must be an e-mail address such as john.doe@example.com'),
  address: text(255, { allowEmpty: true }).optional(),
  city: text(100, { allowEmpty: true }).optional(),
  postal_code: text(20, { allowEmpty: true }).optional(),
  country: text(100, { allowEmpty: true }).optional(),
  created_at: timestamp().optional(),
});

export class CustomerCommands {
  constructor(private readonly executor: CommandExecutor) {}

  async create(body: unknown, idempotent?: IdempotentCommand<CustomerProjection>): Promise<CustomerProjection> {
    const input = validate(CreateCustomer, body);
    try {
      return await this.executor.execute(async (trx) => {
        const row = {
          name: input.name,
          email: input.email,
          address: input.address ?? '',
          city: input.city ?? '',
          postal_code: input.postal_code ?? '',
          country: input.country ?? '',
          created_at: input.created_at ? toSqlDateTime(input.created_at) : nowSql(),
        };
        const id = await insertRow(trx, Tables.customers, row);
        const customer = CustomerProjectionBuilder.fromRow({ id, ...row });
        return { result: customer, events: [{ type: 'CustomerCreated', aggregateType: 'customer', aggregateId: id, payload: customer }], liveCount: { type: 'customer', delta: 1 } };
      }, idempotent);
    } catch (err) {
      if ((err as { code?: string }).code === 'ER_DUP_ENTRY') {
        throw new AppError('CONFLICT', 'A customer with this e-mail already exists', [
          { field: 'email', message: 'is already used by another customer' },
        ]);
      }
      throw err;
    }
  }

  /** Soft delete: the customer's orders stay, showing the customer's name. */
  async delete(id: number, idempotent?: IdempotentCommand<{ id: number }>): Promise<{ id: number }> {
    return this.executor.execute((trx) => softDelete(trx, 'customer', id), idempotent);
  }
}

import type { Knex } from 'knex';
import { notFound } from '../errors.js';
import type { DomainEvent } from '../events/DomainEvent.js';
import { entityOf } from '../model/catalogue.js';
import { nowSql } from '../time.js';
import type { CommandOutcome } from './CommandExecutor.js';

type SoftDeleted = Extract<DomainEvent, { type: 'ProductDeleted' | 'CustomerDeleted' }>;

/**
 * Marks a live row deleted (its row stays: orders keep showing it), one fewer live, and the deletion event.
 * NOT_FOUND when there is no live row with that id.
 */
export async function softDelete(trx: Knex.Transaction, type: SoftDeleted['aggregateType'], id: number): Promise<CommandOutcome<{ id: number }>> {
  const { table } = entityOf(type);
  const current = await trx(table).select('id').where({ id }).whereNull('deleted_at').forUpdate().first();
  if (!current) throw notFound(type, id);
  await trx(table).where({ id }).update({ deleted_at: nowSql() });
  const event = (type === 'product'
    ? { type: 'ProductDeleted', aggregateType: 'product', aggregateId: id, payload: { id } }
    : { type: 'CustomerDeleted', aggregateType: 'customer', aggregateId: id, payload: { id } }) satisfies SoftDeleted;
  return { result: { id }, events: [event], liveCount: { type, delta: -1 } };
}

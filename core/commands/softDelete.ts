import { updateRow, type SqlTransaction } from '../db/SqlTransaction.js';
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
export async function softDelete(trx: SqlTransaction, type: SoftDeleted['aggregateType'], id: number): Promise<CommandOutcome<{ id: number }>> {
  const { table } = entityOf(type);
  const [current] = await trx.query<Array<{ id: number }>>(`SELECT id FROM ${table} WHERE id = ? AND deleted_at IS NULL FOR UPDATE`, [id]);
  if (!current) throw notFound(type, id);
  await updateRow(trx, table, id, { deleted_at: nowSql() });
  const event = (type === 'product'
    ? { type: 'ProductDeleted', aggregateType: 'product', aggregateId: id, payload: { id } }
    : { type: 'CustomerDeleted', aggregateType: 'customer', aggregateId: id, payload: { id } }) satisfies SoftDeleted;
  return { result: { id }, events: [event], liveCount: { type, delta: -1 } };
}

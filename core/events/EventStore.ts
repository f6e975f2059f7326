import type { Knex } from 'knex';
import type { SqlStatement } from '../db/CompoundStatement.js';
import type { SqlTransaction } from '../db/SqlTransaction.js';
import { Tables } from '../db/tables.js';
import type { AppendedEvent, DomainEvent, StoredEvent } from './DomainEvent.js';

type Db = Knex | Knex.Transaction;

interface EventRow {
  position: number | string;
  aggregate_type: string;
  aggregate_id: number;
  event_type: string;
  payload: string;
  occurred_at: string;
}

function fromRow(row: EventRow): StoredEvent {
  return {
    position: Number(row.position),
    aggregateType: row.aggregate_type,
    aggregateId: row.aggregate_id,
    type: row.event_type,
    payload: JSON.parse(row.payload),
    occurredAt: row.occurred_at,
  } as StoredEvent;
}

/** The outbox: events appended in the command's transaction, numbered after commit, read by the projector in position order. */
export const EventStore = {
  /**
   * The statement that appends events as the last step of a command's transaction, with no position: the
   * EventSequencer numbers them once committed. Nothing here is shared between commands (an AUTO_INCREMENT id, no
   * counter row). The command executor sends it with the transaction's other last statements and its COMMIT, in
   * one round trip; `appended` reads the ids it returned.
   */
  appendStatement(events: readonly DomainEvent[]): { statement: SqlStatement; appended(rows: ReadonlyArray<{ id: number | string }>): AppendedEvent[] } {
    const occurredAt = new Date().toISOString().slice(0, 23).replace('T', ' ');
    return {
      statement: {
        sql: `INSERT INTO ${Tables.events} (aggregate_type, aggregate_id, event_type, payload, occurred_at) ` +
          `VALUES ${events.map(() => '(?, ?, ?, ?, ?)').join(', ')} RETURNING id`,
        values: events.flatMap((e) => [e.aggregateType, e.aggregateId, e.type, JSON.stringify(e.payload), occurredAt]),
      },
      appended(rows) {
        if (rows.length !== events.length) throw new Error(`the outbox insert returned ${rows.length} ids for ${events.length} events`);
        const ids = rows.map((r) => Number(r.id)).sort((a, b) => a - b);
        return events.map((e, i) => ({ ...e, id: ids[i]!, occurredAt }) as AppendedEvent);
      },
    };
  },

  /** Appends events in an open transaction (the command executor sends the same statement with its commit). */
  async append(trx: SqlTransaction, events: readonly DomainEvent[]): Promise<AppendedEvent[]> {
    if (events.length === 0) return [];
    const { statement, appended } = EventStore.appendStatement(events);
    return appended(await trx.batch<{ id: number | string }>([statement]));
  },

  /** Numbered events after a position, in position order (events not numbered yet are not read). */
  async readAfter(db: Db, position: number, limit: number, aggregateTypes?: readonly string[]): Promise<StoredEvent[]> {
    const query = db<EventRow>(Tables.events).where('position', '>', position).orderBy('position').limit(limit);
    if (aggregateTypes) query.whereIn('aggregate_type', aggregateTypes as string[]);
    return (await query).map(fromRow);
  },

  /** Position of the last numbered event (0 when none). */
  async lastPosition(db: Db): Promise<number> {
    const row = await db(Tables.eventSequence).where({ id: 1 }).first('last_position');
    return row ? Number(row.last_position) : 0;
  },
};

import type { Knex } from 'knex';
import { Tables } from '../db/tables.js';
import type { DomainEvent, StoredEvent } from './DomainEvent.js';

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

/** The outbox: events appended in the command's transaction, read by the projector in position order. */
export const EventStore = {
  /**
   * Appends events as the last step of a command's transaction. The position counter row stays locked
   * until commit, so positions are handed out in commit order: a reader of `position > checkpoint`
   * never misses an event that commits after a higher one.
   */
  async append(trx: Knex.Transaction, events: readonly DomainEvent[]): Promise<StoredEvent[]> {
    if (events.length === 0) return [];
    const [result] = (await trx.raw(
      `UPDATE ${Tables.eventSequence} SET last_position = LAST_INSERT_ID(last_position + ?) WHERE id = 1`,
      [events.length],
    )) as [{ insertId: number }];
    const first = Number(result.insertId) - events.length + 1;
    const occurredAt = new Date().toISOString().slice(0, 23).replace('T', ' ');
    const stored = events.map((e, i) => ({ ...e, position: first + i, occurredAt }) as StoredEvent);
    await trx(Tables.events).insert(
      stored.map((e) => ({
        position: e.position,
        aggregate_type: e.aggregateType,
        aggregate_id: e.aggregateId,
        event_type: e.type,
        payload: JSON.stringify(e.payload),
        occurred_at: occurredAt,
      })),
    );
    return stored;
  },

  async readAfter(db: Db, position: number, limit: number, aggregateTypes?: readonly string[]): Promise<StoredEvent[]> {
    const query = db<EventRow>(Tables.events).where('position', '>', position).orderBy('position').limit(limit);
    if (aggregateTypes) query.whereIn('aggregate_type', aggregateTypes as string[]);
    return (await query).map(fromRow);
  },

  /** Position of the last committed event (0 when none). */
  async lastPosition(db: Db): Promise<number> {
    const row = await db(Tables.eventSequence).where({ id: 1 }).first('last_position');
    return row ? Number(row.last_position) : 0;
  },
};

import type { Knex } from 'knex';
import { CoalescedRuns } from '../CoalescedRuns.js';
import { Tables } from '../db/tables.js';

/** Positions given by a sequencing pass, by event id. */
export type Positions = ReadonlyMap<number, number>;

const BATCH = 1000;

/**
 * Numbers outbox events after they commit. A command's transaction inserts its events with an AUTO_INCREMENT id and
 * no position, so concurrent commands share no row and commit together (InnoDB group commit); before, every command
 * held one counter row until its commit and they committed one log flush at a time.
 *
 * A pass locks the `event_sequence` row (one pass at a time across every process), reads the committed events that
 * have no position yet (READ COMMITTED: only committed rows, without waiting for running transactions), numbers them
 * in id order after the last position, and commits. So positions are dense and every position a reader can see was
 * committed with all positions below it: a reader of `position > checkpoint` never skips an event. A transaction that
 * took its id early and commits late is numbered by a later pass; one that rolls back leaves an id gap, never a
 * position gap, so nothing waits for it. Per-entity order holds: commands on one entity lock its row, so the later
 * one inserts its event after the earlier one committed, and a pass numbers committed events in id order.
 */
export class EventSequencer {
  private readonly runs = new CoalescedRuns(() => this.numberAll());

  constructor(private readonly knex: Knex) {}

  /**
   * A pass that began after this call, to its end: every event committed before the call has a position then
   * (numbered by this pass, or by an earlier one of any process). Resolves with what this pass numbered.
   */
  sequence(): Promise<Positions> {
    return this.runs.after();
  }

  /** The positions of events by id (a pass of another process may have numbered them); null: not numbered yet. */
  async positionsOf(ids: readonly number[]): Promise<Map<number, number | null>> {
    const rows = await this.knex(Tables.events).select('id', 'position').whereIn('id', ids as number[]) as Array<{ id: number | string; position: number | string | null }>;
    return new Map(rows.map((r) => [Number(r.id), r.position === null ? null : Number(r.position)]));
  }

  private async numberAll(): Promise<Positions> {
    const numbered = new Map<number, number>();
    for (;;) {
      const batch = await this.numberBatch();
      for (const [id, position] of batch) numbered.set(id, position);
      if (batch.size < BATCH) return numbered;
    }
  }

  private numberBatch(): Promise<Positions> {
    return this.knex.transaction(async (trx) => {
      const [[sequence]] = await trx.raw(`SELECT last_position FROM ${Tables.eventSequence} WHERE id = 1 FOR UPDATE`) as [[{ last_position: number | string }]];
      const rows = await trx(Tables.events).select('id').whereNull('position').orderBy('id').limit(BATCH) as Array<{ id: number | string }>;
      const numbered = new Map<number, number>();
      if (rows.length === 0) return numbered;
      const last = Number(sequence.last_position);
      rows.forEach((row, i) => numbered.set(Number(row.id), last + i + 1));
      const ids = [...numbered.keys()];
      await trx.raw(
        `UPDATE ${Tables.events} SET position = CASE id ${ids.map(() => 'WHEN ? THEN ?').join(' ')} END WHERE id IN (${ids.map(() => '?').join(', ')})`,
        [...ids.flatMap((id) => [id, numbered.get(id)!]), ...ids],
      );
      await trx(Tables.eventSequence).where({ id: 1 }).update({ last_position: last + rows.length });
      return numbered;
    }, { isolationLevel: 'read committed' });
  }
}

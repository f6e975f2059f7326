import type { Knex } from 'knex';
import { CoalescedRuns } from '../CoalescedRuns.js';
import { Tables } from '../db/tables.js';

/** Positions given by a sequencing pass, by event id. */
export type Positions = ReadonlyMap<number, number>;

const BATCH = 1000;

/**
 * Numbers outbox events after they commit (a pass is the stored procedure `number_events`, migration 008). A command's transaction inserts its events with an AUTO_INCREMENT id and
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

  /** One pass: the stored procedure of migration 008, one round trip (its text says what it does). */
  private async numberBatch(): Promise<Positions> {
    const [results] = await this.knex.raw('CALL number_events(?)', [BATCH]) as [Array<Array<{ id: number | string; position: number | string }> | object>];
    const rows = (Array.isArray(results[0]) ? results[0] : []) as Array<{ id: number | string; position: number | string }>;
    return new Map(rows.map((r) => [Number(r.id), Number(r.position)]));
  }
}

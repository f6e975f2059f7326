import type { Knex } from 'knex';
import type { SqlStatement } from '../db/CompoundStatement.js';
import { inTransaction, type SqlTransaction } from '../db/SqlTransaction.js';
import type { AppendedEvent, DomainEvent } from '../events/DomainEvent.js';
import { EventStore } from '../events/EventStore.js';
import type { AggregateType } from '../model/catalogue.js';
import type { Projector } from '../projections/Projector.js';
import { liveCountChange } from '../queries/sql.js';
import type { IdempotencyStore, IdempotentCommand } from './IdempotencyStore.js';

export interface CommandOutcome<R> {
  readonly result: R;
  readonly events: readonly DomainEvent[];
  /** A live row added (+1) or removed (−1): the entity's live count changes in the same transaction. */
  readonly liveCount?: { readonly type: AggregateType; readonly delta: 1 | -1 };
}

const DEADLOCK_CODES = new Set(['ER_LOCK_DEADLOCK']);
const ATTEMPTS = 3;

/**
 * Runs a command: its writes and its events in one transaction (nothing is left behind if any step
 * fails), then projects the events inline for read-your-writes, or (INLINE_PROJECTION=0, the asynchronous read
 * model) only wakes the projector and answers. A deadlock is retried from the start.
 * A command sent with an idempotency key claims the key first in that transaction and records its answer in it
 * before the commit: the key commits with the writes or not at all (a failed command records nothing). When an
 * earlier request has committed under the key, the transaction rolls back at once with KeyAlreadyUsed.
 */
export class CommandExecutor {
  constructor(
    private readonly knex: Knex,
    private readonly projector: Projector,
    private readonly idempotency: IdempotencyStore,
    private readonly inlineProjection = true,
  ) {}

  async execute<R>(work: (trx: SqlTransaction) => Promise<CommandOutcome<R>>, idempotent?: IdempotentCommand<R>): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { result, appended } = await this.inTransaction(work, idempotent);
        if (this.inlineProjection) await this.projector.projectCommitted(appended);
        else if (appended.length > 0) this.projector.wake();
        if (idempotent) await this.idempotency.purgeWhenDue();
        return result;
      } catch (err) {
        if (attempt < ATTEMPTS && DEADLOCK_CODES.has((err as { code?: string }).code ?? '')) continue;
        throw err;
      }
    }
  }

  /**
   * The command's transaction: the key's claim (carrying the transaction's start), the command's own statements,
   * then its live count, its answer and its events with the COMMIT, in one round trip.
   */
  private inTransaction<R>(work: (trx: SqlTransaction) => Promise<CommandOutcome<R>>, idempotent?: IdempotentCommand<R>): Promise<{ result: R; appended: AppendedEvent[] }> {
    return inTransaction(this.knex, async (trx) => {
      if (idempotent) await this.idempotency.claim(trx, idempotent.key, idempotent.fingerprint);
      const outcome = await work(trx);
      const last: SqlStatement[] = [];
      if (outcome.liveCount) last.push(liveCountChange(outcome.liveCount.type, outcome.liveCount.delta));
      if (idempotent) last.push(this.idempotency.recordStatement(idempotent.key, idempotent.answer(outcome.result)));
      if (outcome.events.length === 0) {
        await trx.commitAfter(last);
        return { result: outcome.result, appended: [] };
      }
      const append = EventStore.appendStatement(outcome.events);
      const rows = await trx.commitAfter<{ id: number | string }>([...last, append.statement]);
      return { result: outcome.result, appended: append.appended(rows) };
    });
  }
}

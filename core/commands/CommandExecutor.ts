import type { Knex } from 'knex';
import type { DomainEvent } from '../events/DomainEvent.js';
import { EventStore } from '../events/EventStore.js';
import type { Projector } from '../projections/Projector.js';

export interface CommandOutcome<R> {
  readonly result: R;
  readonly events: readonly DomainEvent[];
}

const DEADLOCK_CODES = new Set(['ER_LOCK_DEADLOCK']);
const ATTEMPTS = 3;

/**
 * Runs a command: its writes and its events in one transaction (nothing is left behind if any step
 * fails), then projects the events inline for read-your-writes. A deadlock is retried from the start.
 */
export class CommandExecutor {
  constructor(private readonly knex: Knex, private readonly projector: Projector) {}

  async execute<R>(work: (trx: Knex.Transaction) => Promise<CommandOutcome<R>>): Promise<R> {
    for (let attempt = 1; ; attempt++) {
      try {
        const { result, stored } = await this.knex.transaction(async (trx) => {
          const outcome = await work(trx);
          return { result: outcome.result, stored: await EventStore.append(trx, outcome.events) };
        });
        await this.projector.projectInline(stored);
        return result;
      } catch (err) {
        if (attempt < ATTEMPTS && DEADLOCK_CODES.has((err as { code?: string }).code ?? '')) continue;
        throw err;
      }
    }
  }
}

import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import { EventStore } from '../events/EventStore.js';
import { acquireLock, releaseLock } from '../redis/lock.js';
import { CustomerDbQueries } from '../queries/CustomerDbQueries.js';
import { OrderDbQueries } from '../queries/OrderDbQueries.js';
import { ProductDbQueries } from '../queries/ProductDbQueries.js';
import { AGGREGATE_TYPES, entityOf, type AggregateType } from '../model/catalogue.js';
import { liveCount } from '../queries/sql.js';
import type { Projector } from './Projector.js';
import { recordReadModelIdentity, writeModelIdentity } from './ReadModelIdentity.js';
import type { ProjectionRepositories } from './ProjectionRepositories.js';
import type { ProjectionRepository } from './ProjectionRepository.js';

export interface RebuildProgress {
  readonly type: AggregateType;
  readonly done: number;
  readonly total: number;
}

export interface RebuildResult {
  readonly type: AggregateType;
  readonly count: number;
  /** Outbox position of the MySQL snapshot the rebuild read. */
  readonly snapshotPosition: number;
  readonly eventsReplayed: number;
  readonly ms: number;
}

const readers: Record<AggregateType, (db: Knex.Transaction, afterId: number, limit: number) => Promise<{ id: number }[]>> = {
  product: ProductDbQueries.batchAfter,
  customer: CustomerDbQueries.batchAfter,
  order: OrderDbQueries.batchAfter,
};

/**
 * Rebuilds projections from MySQL: reads one consistent snapshot in keyset batches, writes a fresh key set
 * with pipelining, replays the events committed meanwhile into it, then swaps it in atomically. Readers see
 * the old projections until the swap and the complete new ones after it, never a half-built set.
 */
export class ProjectionRebuilder {
  constructor(
    private readonly knex: Knex,
    private readonly redis: Redis,
    private readonly repositories: ProjectionRepositories,
    private readonly projector: Projector,
    private readonly batchSize: number,
    private readonly prefix: string,
  ) {}

  async rebuild(type: AggregateType, onProgress?: (progress: RebuildProgress) => void): Promise<RebuildResult> {
    const started = performance.now();
    const repository = this.repositories[type] as ProjectionRepository<{ id: number }>;
    const lock = await this.acquireLock(repository.keys.rebuildLock, type);
    try {
      await repository.clearRebuild();
      let count = 0;
      let snapshotPosition = 0;
      // REPEATABLE READ: the first read fixes the snapshot; every batch and the position come from it.
      await this.knex.transaction(async (trx) => {
        snapshotPosition = await EventStore.lastPosition(trx);
        const total = await liveCount(trx, type);
        onProgress?.({ type, done: 0, total });
        for (let afterId = 0; ;) {
          const batch = await readers[type](trx, afterId, this.batchSize);
          if (batch.length === 0) break;
          await repository.writeRebuildBatch(batch, snapshotPosition);
          count += batch.length;
          afterId = batch[batch.length - 1]!.id;
          onProgress?.({ type, done: count, total: Math.max(total, count) });
          if (batch.length < this.batchSize) break;
        }
      }, { isolationLevel: 'repeatable read' });

      // Events committed after the snapshot: into the new key set before the swap, and again on the live
      // set after it for any the live projector applied to the old set in between (a no-op otherwise).
      let eventsReplayed = await this.replay(type, snapshotPosition, 'rebuild');
      await repository.swapInRebuild();
      eventsReplayed += await this.replay(type, snapshotPosition, 'live');
      return { type, count, snapshotPosition, eventsReplayed, ms: performance.now() - started };
    } finally {
      await releaseLock(this.redis, repository.keys.rebuildLock, lock);
    }
  }

  /**
   * Rebuilds every projection, moves the projector's checkpoint to the oldest snapshot read, then records which
   * write model and data set the read model now belongs to, and in which encoding (read before the first snapshot: a data set replaced
   * meanwhile leaves the read model marked as the older one, and it is rebuilt again).
   */
  async rebuildAll(onProgress?: (progress: RebuildProgress) => void): Promise<RebuildResult[]> {
    const identity = await writeModelIdentity(this.knex);
    const results: RebuildResult[] = [];
    for (const type of AGGREGATE_TYPES) results.push(await this.rebuild(type, onProgress));
    const oldestSnapshot = Math.min(...results.map((r) => r.snapshotPosition));
    // A checkpoint past the outbox (an outbox replaced) would never be reached again: set it, do not advance it.
    await this.projector.resetCheckpoint(oldestSnapshot);
    await recordReadModelIdentity(this.redis, this.prefix, identity, this.repositories.encoding);
    return results;
  }

  private async replay(type: AggregateType, after: number, keySet: 'live' | 'rebuild'): Promise<number> {
    let replayed = 0;
    for (let position = after; ;) {
      const events = await EventStore.readAfter(this.knex, position, 500, entityOf(type).projectedFrom);
      if (events.length === 0) return replayed;
      await this.projector.applyEvents(events, { only: type, keySet });
      replayed += events.length;
      position = events[events.length - 1]!.position;
    }
  }

  private async acquireLock(key: string, type: AggregateType): Promise<string> {
    const token = await acquireLock(this.redis, key, 10 * 60_000);
    if (!token) throw new AppError('CONFLICT', `a rebuild of the ${type} projections is already running (lock ${key})`);
    return token;
  }
}

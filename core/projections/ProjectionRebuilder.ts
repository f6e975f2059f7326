import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import { AppError } from '../errors.js';
import { EventStore } from '../events/EventStore.js';
import { isLeaseLost, Lease } from '../redis/Lease.js';
import { BATCH_READERS } from '../queries/DbQueries.js';
import { AGGREGATE_TYPES, entityOf, type AggregateType } from '../model/catalogue.js';
import { liveCount } from '../queries/sql.js';
import type { Projector } from './Projector.js';
import { rebuildLeaseKey } from './ProjectionKeys.js';
import { recordRebuiltReadModel, writeModelIdentity } from './ReadModelIdentity.js';
import type { ProjectionRepositories } from './ProjectionRepositories.js';
import type { ProjectionRepository } from './ProjectionRepository.js';

export interface RebuildProgress {
  readonly type: AggregateType;
  /** `writing` as the snapshot's batches are written (done of total), `replayed` when the events committed since are in
   * the new key set (just before the swap), `swapped` once it is live and caught up. */
  readonly stage: 'writing' | 'replayed' | 'swapped';
  readonly done: number;
  readonly total: number;
}

/** Told of a rebuild's progress; a returned promise is awaited before the rebuild goes on. */
export type RebuildProgressListener = (progress: RebuildProgress) => void | Promise<void>;

export interface RebuildResult {
  readonly type: AggregateType;
  readonly count: number;
  /** Outbox position of the MySQL snapshot the rebuild read. */
  readonly snapshotPosition: number;
  readonly eventsReplayed: number;
  readonly ms: number;
}

export interface RebuildSettings {
  /** Rows read, and projections written, per batch. */
  readonly batchSize: number;
  /** The Redis key prefix. */
  readonly prefix: string;
  /** Life of the rebuild lease without renewal (REBUILD_LEASE_MS). */
  readonly leaseMs: number;
}

/**
 * Rebuilds projections from MySQL: reads one consistent snapshot in keyset batches, writes a fresh key set
 * with pipelining, replays the events committed meanwhile into it, then swaps it in atomically. Readers see
 * the old projections until the swap and the complete new ones after it, never a half-built set.
 *
 * One rebuild at a time, of one entity or of all, under a lease (REBUILD_LEASE_MS, renewed while the rebuild runs):
 * a process that dies mid-rebuild frees it within the lease's life, and another takes over from the start. The
 * lease's token fences every write into the rebuild key set, the swap and the recorded identity, so a rebuilder
 * that lost its lease (stalled past it) can never swap in its stale work.
 */
export class ProjectionRebuilder {
  private readonly leaseKey: string;

  constructor(
    private readonly knex: Knex,
    private readonly redis: Redis,
    private readonly repositories: ProjectionRepositories,
    private readonly projector: Projector,
    private readonly settings: RebuildSettings,
  ) {
    this.leaseKey = rebuildLeaseKey(settings.prefix);
  }

  async rebuild(type: AggregateType, onProgress?: RebuildProgressListener): Promise<RebuildResult> {
    return this.underLease(`the ${type} projections`, (lease) => this.rebuildUnder(lease, type, onProgress));
  }

  /**
   * Rebuilds every projection, moves the projector's checkpoint to the oldest snapshot read, then records which
   * write model and data set the read model now belongs to, and in which encoding (read before the first snapshot: a data set replaced
   * meanwhile leaves the read model marked as the older one, and it is rebuilt again).
   */
  async rebuildAll(onProgress?: RebuildProgressListener): Promise<RebuildResult[]> {
    return this.underLease('the read model', async (lease) => {
      const identity = await writeModelIdentity(this.knex);
      const results: RebuildResult[] = [];
      for (const type of AGGREGATE_TYPES) results.push(await this.rebuildUnder(lease, type, onProgress));
      const oldestSnapshot = Math.min(...results.map((r) => r.snapshotPosition));
      // A checkpoint past the outbox (an outbox replaced) would never be reached again: set it, do not advance it.
      await recordRebuiltReadModel(this.redis, this.settings.prefix, lease, oldestSnapshot, identity, this.repositories.encoding);
      return results;
    });
  }

  private async rebuildUnder(lease: Lease, type: AggregateType, onProgress?: RebuildProgressListener): Promise<RebuildResult> {
    const started = performance.now();
    const repository = this.repositories[type] as ProjectionRepository<{ id: number }>;
    await repository.clearRebuild();
    let count = 0;
    let total = 0;
    let snapshotPosition = 0;
    // REPEATABLE READ: the first read fixes the snapshot; every batch and the position come from it.
    await this.knex.transaction(async (trx) => {
      snapshotPosition = await EventStore.lastPosition(trx);
      total = await liveCount(trx, type);
      await onProgress?.({ type, stage: 'writing', done: 0, total });
      // The next batch is read from MySQL while this one is written to Redis: the two round trips overlap.
      const read = (afterId: number) => {
        const batch: Promise<{ id: number }[]> = BATCH_READERS[type](trx, afterId, this.settings.batchSize);
        batch.catch(() => undefined); // awaited below; a write failing first must not leave it unhandled
        return batch;
      };
      for (let next = read(0); ;) {
        const batch = await next;
        if (batch.length === 0) break;
        const full = batch.length === this.settings.batchSize;
        if (full) next = read(batch[batch.length - 1]!.id);
        await repository.writeRebuildBatch(batch, snapshotPosition, lease);
        count += batch.length;
        await onProgress?.({ type, stage: 'writing', done: count, total: Math.max(total, count) });
        if (!full) break;
      }
    }, { isolationLevel: 'repeatable read' });

    // Events committed after the snapshot: into the new key set before the swap, and again on the live
    // set after it for any the live projector applied to the old set in between (a no-op otherwise).
    let eventsReplayed = await this.replay(type, snapshotPosition, 'rebuild');
    await onProgress?.({ type, stage: 'replayed', done: count, total: Math.max(total, count) });
    await repository.swapInRebuild(lease);
    eventsReplayed += await this.replay(type, snapshotPosition, 'live');
    await onProgress?.({ type, stage: 'swapped', done: count, total: Math.max(total, count) });
    return { type, count, snapshotPosition, eventsReplayed, ms: performance.now() - started };
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

  /** Runs `work` holding the rebuild lease: CONFLICT when another process holds it, or when it was lost meanwhile. */
  private async underLease<R>(what: string, work: (lease: Lease) => Promise<R>): Promise<R> {
    const lease = await Lease.acquire(this.redis, this.leaseKey, this.settings.leaseMs);
    if (!lease) throw new AppError('CONFLICT', `a rebuild is already running in another process (lease ${this.leaseKey}); ${what} will be rebuilt by it`);
    try {
      return await work(lease);
    } catch (err) {
      if (isLeaseLost(err)) {
        throw new AppError('CONFLICT', `the rebuild of ${what} lost its lease ${this.leaseKey} (stalled past REBUILD_LEASE_MS=${this.settings.leaseMs}); another process took it over and nothing of this one was swapped in`, [], { cause: err });
      }
      throw err;
    } finally {
      await lease.release().catch(() => undefined);
    }
  }
}

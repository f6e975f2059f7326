import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import { CoalescedRuns } from '../CoalescedRuns.js';
import { EventStore } from '../events/EventStore.js';
import type { EventSequencer } from '../events/EventSequencer.js';
import type { AppendedEvent, StoredEvent } from '../events/DomainEvent.js';
import type { Logger } from '../logger.js';
import { ENTITIES, type AggregateType } from '../model/catalogue.js';
import type { ProjectionRepositories } from './ProjectionRepositories.js';
import type { ProjectionRepository, VersionedWrite } from './ProjectionRepository.js';
import { projectionUpdate, type Projection } from './ProjectionUpdates.js';
import { checkpointKey } from './ProjectionKeys.js';
import { identityKey } from './ReadModelIdentity.js';

const ADVANCE_CHECKPOINT = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > current then redis.call('SET', KEYS[1], ARGV[1]) return 1 end
return 0`;

export interface ApplyOptions {
  /** Apply only what concerns this entity's projections (a rebuild catching up its own key set). */
  readonly only?: AggregateType;
  readonly keySet?: 'live' | 'rebuild';
}

export type ProjectionPath = 'inline' | 'catch-up';

/** Told of what the projector applies, e.g. by the metrics of the process it runs in. */
export interface ProjectorObserver {
  /** `events` are now visible in the live projections; `appliedAt` is when (ms since the epoch). */
  applied(path: ProjectionPath, events: readonly StoredEvent[], appliedAt: number): void;
  inlineFailed(): void;
}

/** When an event was committed (its outbox timestamp, UTC to the millisecond), in ms since the epoch. */
export function committedAt(event: StoredEvent): number {
  return Date.parse(`${event.occurredAt.replace(' ', 'T')}Z`);
}

export interface ProjectorStats {
  inlineFailures: number;
  eventsCaughtUp: number;
}

/**
 * Applies outbox events to the Redis projections. With inline projection a command calls `projectCommitted` right
 * after its commit (read-your-writes); `catchUp` numbers what has committed and replays from the checkpoint whatever
 * the inline step missed, or everything when commands only `wake` it (the asynchronous read model).
 * Applying is idempotent: every write is guarded by the event's position (see ProjectionRepository).
 */
export class Projector {
  readonly stats: ProjectorStats = { inlineFailures: 0, eventsCaughtUp: 0 };
  private readonly checkpointKey: string;
  private readonly identityKey: string;
  private readonly catchUps = new CoalescedRuns(() => this.runCatchUp());
  private batchSize = 500;
  private observer: ProjectorObserver | undefined;

  constructor(
    private readonly knex: Knex,
    private readonly redis: Redis,
    private readonly repositories: ProjectionRepositories,
    redisPrefix: string,
    private readonly logger: Logger,
    private readonly sequencer: EventSequencer,
  ) {
    this.checkpointKey = checkpointKey(redisPrefix);
    this.identityKey = identityKey(redisPrefix);
    if (!('advanceCheckpoint' in redis)) {
      redis.defineCommand('advanceCheckpoint', { numberOfKeys: 1, lua: ADVANCE_CHECKPOINT });
    }
  }

  observe(observer: ProjectorObserver): void {
    this.observer = observer;
  }

  async applyEvents(events: readonly StoredEvent[], options: ApplyOptions = {}): Promise<void> {
    const entities = ENTITIES.filter((e) => options.only === undefined || options.only === e.type);
    const writes = new Map<AggregateType, VersionedWrite<Projection>[]>(ENTITIES.map((e) => [e.type, []]));
    for (const event of events) {
      for (const entity of entities) {
        if (!entity.projectedFrom.includes(event.aggregateType)) continue;
        const update = projectionUpdate(event.type, entity.type);
        if (update) writes.get(entity.type)!.push(...await update(event, this.knex));
      }
    }
    const target = options.keySet ?? 'live';
    await Promise.all(ENTITIES.map(({ type }) => {
      const repository = this.repository(type);
      return repository.apply(writes.get(type)!, repository.keys[target]);
    }));
  }

  private repository(type: AggregateType): ProjectionRepository<Projection> {
    return this.repositories[type] as ProjectionRepository<Projection>;
  }

  /**
   * Best effort after a commit: numbers the command's events (a pass shared with the commands committing meanwhile)
   * and applies them. A failure is logged and left to `catchUp`; the write itself stands.
   */
  async projectCommitted(appended: readonly AppendedEvent[]): Promise<boolean> {
    if (appended.length === 0) return true;
    try {
      const numbered = await this.sequencer.sequence();
      const missing = appended.filter((e) => !numbered.has(e.id)).map((e) => e.id);
      const elsewhere = missing.length > 0 ? await this.sequencer.positionsOf(missing) : new Map<number, number | null>();
      const events = appended.map(({ id, ...event }) => {
        const position = numbered.get(id) ?? elsewhere.get(id);
        if (position == null) throw new Error(`event ${id} committed but not numbered by a pass that began after its commit`);
        return { ...event, position } as StoredEvent;
      });
      return await this.projectInline(events);
    } catch (err) {
      this.inlineFailed(err, appended.map((e) => e.id));
      return false;
    }
  }

  /**
   * The asynchronous read model: a command only tells the projector that something committed. A catch-up that
   * begins after this call applies it (the one under way may have read the outbox already); failures are logged,
   * the projector loop retries.
   */
  wake(): void {
    this.catchUps.after().catch((err) => this.logger.warn('projector catch-up after a command failed; the projector loop retries', { err }));
  }

  /** Applies numbered events; a failure is logged and left to `catchUp`, the write itself stands. */
  async projectInline(events: readonly StoredEvent[]): Promise<boolean> {
    try {
      await this.applyEvents(events);
      this.observer?.applied('inline', events, Date.now());
      return true;
    } catch (err) {
      this.inlineFailed(err, events.map((e) => e.position));
      return false;
    }
  }

  private inlineFailed(err: unknown, events: readonly number[]): void {
    this.stats.inlineFailures++;
    this.observer?.inlineFailed();
    this.logger.warn('inline projection failed; the projector will catch up from the outbox', { err, events });
  }

  async checkpoint(): Promise<number> {
    return Number((await this.redis.get(this.checkpointKey)) ?? 0);
  }

  async advanceCheckpoint(position: number): Promise<void> {
    await (this.redis as unknown as { advanceCheckpoint(key: string, position: number): Promise<number> })
      .advanceCheckpoint(this.checkpointKey, position);
  }

  /** Forgets every projection, the checkpoint and whose read model it was (the write model was replaced). */
  async reset(): Promise<void> {
    await Promise.all([...ENTITIES.map(({ type }) => this.repository(type).clear()), this.redis.del(this.checkpointKey, this.identityKey)]);
  }

  /** Outbox position minus checkpoint: how many events the read model is behind. */
  async lag(): Promise<number> {
    const [last, checkpoint] = await Promise.all([EventStore.lastPosition(this.knex), this.checkpoint()]);
    return Math.max(0, last - checkpoint);
  }

  /** Numbers what has committed and applies every event after the checkpoint; returns how many. Concurrent calls share one run. */
  catchUp(batchSize = 500): Promise<number> {
    this.batchSize = batchSize;
    return this.catchUps.join();
  }

  private async runCatchUp(): Promise<number> {
    const { batchSize } = this;
    await this.sequencer.sequence();
    let applied = 0;
    let position = await this.checkpoint();
    for (;;) {
      const events = await EventStore.readAfter(this.knex, position, batchSize);
      if (events.length === 0) break;
      await this.applyEvents(events);
      position = events[events.length - 1]!.position;
      await this.advanceCheckpoint(position);
      applied += events.length;
      this.observer?.applied('catch-up', events, Date.now());
      if (events.length < batchSize) break;
    }
    this.stats.eventsCaughtUp += applied;
    return applied;
  }

  /** Waits for the catch-ups under way or asked for to end. */
  async stop(): Promise<void> {
    await this.catchUps.idle();
  }
}

import type { Knex } from 'knex';
import type { Redis } from 'ioredis';
import { EventStore } from '../events/EventStore.js';
import type { StoredEvent } from '../events/DomainEvent.js';
import type { Logger } from '../logger.js';
import { OrderDbQueries } from '../queries/OrderDbQueries.js';
import type { AggregateType } from '../model/catalogue.js';
import type { ProjectionRepositories } from './ProjectionRepositories.js';
import type { VersionedWrite } from './ProjectionRepository.js';
import type { CustomerProjection } from '../model/Customer.js';
import type { OrderProjection } from '../model/Order.js';
import type { ProductProjection } from '../model/Product.js';
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
 * Applies outbox events to the Redis projections. Commands call `projectInline` right after commit
 * (read-your-writes); `catchUp` replays from the checkpoint whatever the inline step missed.
 * Applying is idempotent: every write is guarded by the event's position (see ProjectionRepository).
 */
export class Projector {
  readonly stats: ProjectorStats = { inlineFailures: 0, eventsCaughtUp: 0 };
  private readonly checkpointKey: string;
  private readonly identityKey: string;
  private running: Promise<number> | undefined;
  private observer: ProjectorObserver | undefined;

  constructor(
    private readonly knex: Knex,
    private readonly redis: Redis,
    private readonly repositories: ProjectionRepositories,
    redisPrefix: string,
    private readonly logger: Logger,
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
    const wants = (type: AggregateType) => options.only === undefined || options.only === type;
    const products: VersionedWrite<ProductProjection>[] = [];
    const customers: VersionedWrite<CustomerProjection>[] = [];
    const orders: VersionedWrite<OrderProjection>[] = [];
    for (const event of events) {
      const version = event.position;
      switch (event.type) {
        case 'ProductCreated':
        case 'ProductUpdated':
          if (wants('product')) products.push({ id: event.aggregateId, version, projection: event.payload });
          // Order projections show product names: re-read the orders holding this product.
          if (event.type === 'ProductUpdated' && wants('order')) {
            const ids = await OrderDbQueries.idsContainingProduct(this.knex, event.aggregateId);
            for (const order of await OrderDbQueries.byIds(this.knex, ids)) {
              orders.push({ id: order.id, version, projection: order });
            }
          }
          break;
        case 'ProductDeleted':
          // Soft delete: orders keep showing the product, so order projections are untouched.
          if (wants('product')) products.push({ id: event.aggregateId, version, projection: null });
          break;
        case 'CustomerCreated':
          if (wants('customer')) customers.push({ id: event.aggregateId, version, projection: event.payload });
          break;
        case 'CustomerDeleted':
          if (wants('customer')) customers.push({ id: event.aggregateId, version, projection: null });
          break;
        case 'OrderCreated':
          if (wants('order')) orders.push({ id: event.aggregateId, version, projection: event.payload });
          break;
        case 'OrderDeleted':
          if (wants('order')) orders.push({ id: event.aggregateId, version, projection: null });
          break;
      }
    }
    const { product, customer, order } = this.repositories;
    const target = options.keySet ?? 'live';
    await Promise.all([
      product.apply(products, product.keys[target]),
      customer.apply(customers, customer.keys[target]),
      order.apply(orders, order.keys[target]),
    ]);
  }

  /** Best effort after a commit: a failure is logged and left to `catchUp`, the write itself stands. */
  async projectInline(events: readonly StoredEvent[]): Promise<boolean> {
    try {
      await this.applyEvents(events);
      this.observer?.applied('inline', events, Date.now());
      return true;
    } catch (err) {
      this.stats.inlineFailures++;
      this.observer?.inlineFailed();
      this.logger.warn('inline projection failed; the projector will catch up from the outbox', {
        err, positions: events.map((e) => e.position),
      });
      return false;
    }
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
    const { product, customer, order } = this.repositories;
    await Promise.all([product.clear(), customer.clear(), order.clear(), this.redis.del(this.checkpointKey, this.identityKey)]);
  }

  /** Outbox position minus checkpoint: how many events the read model is behind. */
  async lag(): Promise<number> {
    const [last, checkpoint] = await Promise.all([EventStore.lastPosition(this.knex), this.checkpoint()]);
    return Math.max(0, last - checkpoint);
  }

  /** Applies every event after the checkpoint; returns how many. Concurrent calls share one run. */
  catchUp(batchSize = 500): Promise<number> {
    this.running ??= this.runCatchUp(batchSize).finally(() => { this.running = undefined; });
    return this.running;
  }

  private async runCatchUp(batchSize: number): Promise<number> {
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

  /** Waits for a catch-up under way to end. */
  async stop(): Promise<void> {
    await this.running?.catch(() => undefined);
  }
}

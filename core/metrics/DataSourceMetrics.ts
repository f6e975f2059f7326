import type { Knex } from 'knex';
import { Counter, Gauge, type Registry } from 'prom-client';
import { entityOf } from '../model/catalogue.js';
import { BoundHistogram } from './BoundMetrics.js';
import { committedAt, type ProjectionPath, type ProjectorObserver } from '../projections/Projector.js';
import type { KeeperObserver } from '../projections/ReadModelKeeper.js';
import type { ReadFallbackObserver } from '../projections/ProjectionService.js';
import type { RedisCallObserver } from '../redis/instrumentRedis.js';

const CALL_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
// Visibility lag spans a read-your-writes inline step (a millisecond or two) to a projector poll or a backlog (seconds).
const LAG_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * Round trips to MySQL and Redis, and what the projector applies, through public hooks: knex's query events
 * and a timing wrapper over the Redis client's methods (core/redis/instrumentRedis.ts), per application.
 */
export class DataSourceMetrics {
  private readonly mysql: { observe(value: number): void };
  private readonly redis: BoundHistogram;
  private readonly redisCommands = new Map<string, { observe(value: number): void }>();
  private readonly projected: Counter<'runtime' | 'path'>;
  private readonly lag: Record<ProjectionPath, { observe(value: number): void }>;
  private readonly inlineFailures: { inc(): void };
  private readonly selfRebuilds: Counter<'runtime' | 'reason'>;
  private readonly fallbackReads: Counter<'runtime' | 'entity'>;
  private readonly rebuildRows: Gauge<'runtime' | 'entity'>;
  private readonly rebuildSeconds: Gauge<'runtime' | 'entity'>;

  constructor(registry: Registry, private readonly runtime: string) {
    const registers = [registry];
    this.mysql = new BoundHistogram('cqrs_mysql_query_duration_seconds', 'MySQL query round trips', ['runtime'], CALL_BUCKETS, registry).bind({ runtime });
    this.redis = new BoundHistogram('cqrs_redis_command_duration_seconds', 'Redis command round trips', ['runtime', 'command'], CALL_BUCKETS, registry);
    this.projected = new Counter({
      name: 'cqrs_projector_events_applied_total', help: 'Outbox events applied to the projections, inline (after a command) or by the projector catching up',
      labelNames: ['runtime', 'path'], registers,
    });
    const inlineFailures = new Counter({
      name: 'cqrs_projector_inline_failures_total', help: 'Inline projections that failed and were left to the projector',
      labelNames: ['runtime'], registers,
    });
    this.inlineFailures = inlineFailures.labels({ runtime });
    const lag = new BoundHistogram('cqrs_projection_lag_seconds',
      'Visibility lag: from an event\'s commit (its outbox timestamp) to its projection being applied in Redis, by path',
      ['runtime', 'path'], LAG_BUCKETS, registry);
    this.lag = { inline: lag.bind({ runtime, path: 'inline' }), 'catch-up': lag.bind({ runtime, path: 'catch-up' }) };
    this.projected.inc({ runtime, path: 'inline' }, 0);
    this.projected.inc({ runtime, path: 'catch-up' }, 0);
    inlineFailures.inc({ runtime }, 0);
    this.selfRebuilds = new Counter({
      name: 'cqrs_read_model_rebuilds_total', help: 'Read model rebuilt by itself because it did not belong to this write model, by reason',
      labelNames: ['runtime', 'reason'], registers,
    });
    this.fallbackReads = new Counter({
      name: 'cqrs_read_model_fallback_reads_total',
      help: 'Projection reads answered from MySQL because the read model was being rebuilt (emptied or withdrawn), by entity',
      labelNames: ['runtime', 'entity'], registers,
    });
    // The last rebuild's figures, not counters: rows ÷ seconds is its rate (the recovery bench reads them).
    this.rebuildRows = new Gauge({
      name: 'cqrs_read_model_rebuild_rows', help: 'Projections written by the last rebuild the keeper made by itself, by entity',
      labelNames: ['runtime', 'entity'], registers,
    });
    this.rebuildSeconds = new Gauge({
      name: 'cqrs_read_model_rebuild_seconds', help: 'Duration of the last rebuild the keeper made by itself, by entity (rows ÷ seconds: its rate)',
      labelNames: ['runtime', 'entity'], registers,
    });
  }

  /** Times the queries of this knex instance. */
  watchKnex(knex: Knex): void {
    const started = new Map<string, bigint>();
    const done = (_: unknown, query: { __knexQueryUid?: string }) => {
      const uid = query?.__knexQueryUid;
      const start = uid === undefined ? undefined : started.get(uid);
      if (start === undefined) return;
      started.delete(uid!);
      this.mysql.observe(Number(process.hrtime.bigint() - start) / 1e9);
    };
    knex.on('query', (query: { __knexQueryUid?: string }) => {
      if (query.__knexQueryUid) started.set(query.__knexQueryUid, process.hrtime.bigint());
    });
    knex.on('query-response', done);
    knex.on('query-error', done);
  }

  /** Counts what a projector applies and fails to apply. */
  projectorObserver(): ProjectorObserver {
    const { runtime } = this;
    return {
      applied: (path, events, appliedAt) => {
        this.projected.inc({ runtime, path }, events.length);
        const lag = this.lag[path];
        // Clocks of one machine; a negative lag (another host's clock behind) counts as none.
        for (const event of events) lag.observe(Math.max(0, appliedAt - committedAt(event)) / 1000);
      },
      inlineFailed: () => this.inlineFailures.inc(),
    };
  }

  /** Counts the read model's own rebuilds: give it to `createApplication` (option `keeperObserver`). */
  keeperObserver(): KeeperObserver {
    const { runtime } = this;
    return {
      rebuilt: (reason, results) => {
        this.selfRebuilds.inc({ runtime, reason });
        for (const { type, count, ms } of results) {
          const entity = entityOf(type).plural;
          this.rebuildRows.set({ runtime, entity }, count);
          this.rebuildSeconds.set({ runtime, entity }, ms / 1000);
        }
      },
    };
  }

  /** Counts the projection reads answered by the write model: give it to `createApplication` (option `readFallbackObserver`). */
  readFallbackObserver(): ReadFallbackObserver {
    const { runtime } = this;
    return { fellBack: (entity) => this.fallbackReads.inc({ runtime, entity }) };
  }

  /** Times Redis calls: give it to `createApplication` (option `redisObserver`). */
  redisObserver(): RedisCallObserver {
    return (command, seconds) => {
      let histogram = this.redisCommands.get(command);
      if (!histogram) this.redisCommands.set(command, (histogram = this.redis.bind({ runtime: this.runtime, command })));
      histogram.observe(seconds);
    };
  }
}

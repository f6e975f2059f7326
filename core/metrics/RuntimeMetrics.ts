import { Registry } from 'prom-client';
import type { Application } from '../app.js';
import type { PipelineHook } from '../http/types.js';
import type { ProjectorObserver } from '../projections/Projector.js';
import type { ReadFallbackObserver } from '../projections/ProjectionService.js';
import type { KeeperObserver } from '../projections/ReadModelKeeper.js';
import type { RedisCallObserver } from '../redis/instrumentRedis.js';
import { DataSourceMetrics } from './DataSourceMetrics.js';
import { HttpMetrics, type HttpRole } from './HttpMetrics.js';
import type { MetricsSnapshot } from './MetricsAggregation.js';
import { registerPoolMetrics, type PoolCounters, type PoolState } from './PoolMetrics.js';
import { registerProcessMetrics } from './ProcessMetrics.js';
import { registerProjectorLag } from './ProjectorMetrics.js';

// One naming scheme for every runtime, so a dashboard can put them side by side. Where a metric mirrors
// one of the PHP-FPM exporter or FrankenPHP, its module names it (docs/metrics.md, "Metrics").

/**
 * The metrics of one process or thread of a runtime, by concern: requests (a pipeline hook), data sources,
 * the pool, the projector, the process itself. A pooled runtime's parent aggregates its workers' snapshots.
 */
export class RuntimeMetrics {
  readonly registry = new Registry();
  private readonly dataSources: DataSourceMetrics;

  constructor(readonly runtime: string, readonly worker: string) {
    registerProcessMetrics(this.registry, runtime, worker);
    this.dataSources = new DataSourceMetrics(this.registry, runtime);
  }

  /** The request pipeline's hook for this process's part in answering requests. */
  http(role: HttpRole): PipelineHook {
    return new HttpMetrics(this.registry, this.runtime, this.worker, role).hook();
  }

  /** What `createApplication` needs to time Redis calls and count what its projector applies. */
  applicationObservers(): {
    redisObserver: RedisCallObserver; projectorObserver: ProjectorObserver; keeperObserver: KeeperObserver; readFallbackObserver: ReadFallbackObserver;
  } {
    return {
      redisObserver: this.dataSources.redisObserver(),
      projectorObserver: this.dataSources.projectorObserver(),
      keeperObserver: this.dataSources.keeperObserver(),
      readFallbackObserver: this.dataSources.readFallbackObserver(),
    };
  }

  /** Times this application's MySQL queries (knex's query events). */
  instrument(app: Application): void {
    this.dataSources.watchKnex(app.knex);
  }

  /** Projector lag and the read model's state, in the process that runs the projector. */
  watchProjector(app: Application): void {
    registerProjectorLag(this.registry, this.runtime, app.projector, app.keeper);
  }

  watchPool(state: () => PoolState): PoolCounters {
    return registerPoolMetrics(this.registry, this.runtime, state);
  }

  snapshot(): Promise<MetricsSnapshot> {
    return this.registry.getMetricsAsJSON();
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

import { AggregatorRegistry, type Registry } from 'prom-client';

/** One registry's metrics as JSON: what a worker sends its parent to aggregate. */
export type MetricsSnapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;

/**
 * Prometheus text for several registries' JSON snapshots (workers plus parent): series with the same labels
 * are summed, per-worker series (label `worker`) stay apart. prom-client aggregates node:cluster workers
 * itself; worker threads and the fork children send their snapshots over their own channels.
 */
export async function aggregateMetrics(snapshots: readonly MetricsSnapshot[]): Promise<{ contentType: string; body: string }> {
  const registry = AggregatorRegistry.aggregate(snapshots as unknown as object[]);
  return { contentType: registry.contentType, body: await registry.metrics() };
}

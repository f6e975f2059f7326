import { isMainThread } from 'node:worker_threads';
import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';
import { EventLoopMonitor } from './EventLoopMonitor.js';

/**
 * Node's default metrics and this thread's event loop (lag beyond the sampling interval, utilisation), labelled
 * with the runtime and the worker (process or thread) they describe.
 */
export function registerProcessMetrics(registry: Registry, runtime: string, worker: string): void {
  const registers = [registry];
  const loop = new EventLoopMonitor();
  new Gauge({
    name: 'cqrs_event_loop_lag_seconds',
    help: 'Event-loop delay beyond the sampling interval, over the interval since the previous scrape (mean, p99, max)',
    labelNames: ['runtime', 'worker', 'stat'], registers,
    collect() {
      const lag = loop.takeLag();
      this.set({ runtime, worker, stat: 'mean' }, lag.mean);
      this.set({ runtime, worker, stat: 'p99' }, lag.p99);
      this.set({ runtime, worker, stat: 'max' }, lag.max);
    },
  });
  new Gauge({
    name: 'cqrs_event_loop_utilization',
    help: 'Share of time the event loop was not idle (0-1), over the interval since the previous scrape',
    labelNames: ['runtime', 'worker'], registers,
    collect() {
      this.set({ runtime, worker }, loop.takeUtilization());
    },
  });
  collectDefaultMetrics({ register: registry, labels: { runtime, worker } });
  // process_* (CPU, resident memory, file descriptors) describe the whole process: a worker thread would
  // report its process's figures again, and summing a runtime's threads would count them once per thread.
  if (!isMainThread) {
    for (const metric of registry.getMetricsAsArray()) {
      if (metric.name.startsWith('process_')) registry.removeSingleMetric(metric.name);
    }
  }
}

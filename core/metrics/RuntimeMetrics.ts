import { isMainThread } from 'node:worker_threads';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { EventLoopMonitor } from './EventLoopMonitor.js';

/** One registry's metrics as JSON: what a worker sends its parent to aggregate. */
export type MetricsSnapshot = Awaited<ReturnType<Registry['getMetricsAsJSON']>>;
import type { Application } from '../app.js';

// One naming scheme for every runtime, so a dashboard can put them side by side. Where a metric mirrors
// one of the PHP-FPM exporter or FrankenPHP, the comment names it (README, "Metrics").

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const CALL_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

export interface PoolState {
  readonly total: number;
  readonly busy: number;
  readonly queue: number;
}

/** The metrics of one process or thread of a runtime. A pooled runtime's parent aggregates its workers'. */
export class RuntimeMetrics {
  readonly registry = new Registry();
  private readonly requestDuration: Histogram<'runtime' | 'route' | 'method' | 'status' | 'source'>;
  private readonly requests: Counter<'runtime' | 'route' | 'method' | 'status' | 'source'>;
  private readonly workerRequests: Counter<'runtime' | 'worker'>;
  private readonly inFlight: Gauge<'runtime'>;
  private readonly mysqlDuration: Histogram<'runtime'>;
  private readonly redisDuration: Histogram<'runtime' | 'command'>;
  private readonly labels: { runtime: string };

  /**
   * `role`: 'server' times requests and counts them as its own share (express, a uws worker); 'front' times
   * requests served by others (the fork master: from arrival, queue wait included); 'back' only counts its
   * share of requests a front timed (a fork child).
   */
  constructor(readonly runtime: string, readonly worker: string, private readonly role: 'server' | 'front' | 'back' = 'server') {
    this.labels = { runtime };
    const registers = [this.registry];
    this.requestDuration = new Histogram({
      name: 'cqrs_http_request_duration_seconds', help: 'Time to answer a request, by route and status',
      labelNames: ['runtime', 'route', 'method', 'status', 'source'], buckets: LATENCY_BUCKETS, registers,
    });
    this.requests = new Counter({
      name: 'cqrs_http_requests_total', help: 'Requests answered', labelNames: ['runtime', 'route', 'method', 'status', 'source'], registers,
    });
    this.workerRequests = new Counter({
      name: 'cqrs_worker_requests_total', help: 'Requests answered by each worker (how evenly the pool spreads load)',
      labelNames: ['runtime', 'worker'], registers,
    });
    this.inFlight = new Gauge({ name: 'cqrs_http_requests_in_flight', help: 'Requests being handled now', labelNames: ['runtime'], registers });
    this.mysqlDuration = new Histogram({
      name: 'cqrs_mysql_query_duration_seconds', help: 'MySQL query round trips', labelNames: ['runtime'], buckets: CALL_BUCKETS, registers,
    });
    this.redisDuration = new Histogram({
      name: 'cqrs_redis_command_duration_seconds', help: 'Redis command round trips', labelNames: ['runtime', 'command'], buckets: CALL_BUCKETS, registers,
    });
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
    collectDefaultMetrics({ register: this.registry, labels: { runtime, worker } });
    // process_* (CPU, resident memory, file descriptors) describe the whole process: a worker thread would
    // report its process's figures again, and summing a runtime's threads would count them once per thread.
    if (!isMainThread) {
      for (const metric of this.registry.getMetricsAsArray()) {
        if (metric.name.startsWith('process_')) this.registry.removeSingleMetric(metric.name);
      }
    }
    this.projectorEvents = new Counter({
      name: 'cqrs_projector_events_applied_total', help: 'Outbox events applied to the projections, inline (after a command) or by the projector catching up',
      labelNames: ['runtime', 'path'], registers,
    });
    this.inlineFailures = new Counter({
      name: 'cqrs_projector_inline_failures_total', help: 'Inline projections that failed and were left to the projector',
      labelNames: ['runtime'], registers,
    });
    this.projectorEvents.inc({ runtime, path: 'inline' }, 0);
    this.projectorEvents.inc({ runtime, path: 'catch-up' }, 0);
    this.inlineFailures.inc({ runtime }, 0);
  }

  private readonly projectorEvents: Counter<'runtime' | 'path'>;
  private readonly inlineFailures: Counter<'runtime'>;

  // Label sets resolved once per route × method × status × source: prom-client hashes a labels object on
  // every call otherwise, a cost paid on every request of the hot path.
  private readonly outcomes = new Map<string, { duration: { observe(v: number): void }; count: { inc(): void } }>();
  private workerShare: { inc(): void } | undefined;
  private inFlightChild: { inc(): void; dec(): void } | undefined;

  /** Call when a request starts; call the returned function with its outcome when it has been answered. */
  startRequest(): (route: string, method: string, status: number, source: string) => void {
    this.workerShare ??= this.workerRequests.labels({ runtime: this.runtime, worker: this.worker });
    if (this.role === 'back') return () => this.workerShare!.inc();
    this.inFlightChild ??= this.inFlight.labels(this.labels);
    const inFlight = this.inFlightChild;
    const started = process.hrtime.bigint();
    inFlight.inc();
    return (route, method, status, source) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const key = `${route} ${method} ${status} ${source}`;
      let outcome = this.outcomes.get(key);
      if (!outcome) {
        const labels = { runtime: this.runtime, route, method, status: String(status), source };
        outcome = { duration: this.requestDuration.labels(labels), count: this.requests.labels(labels) };
        this.outcomes.set(key, outcome);
      }
      inFlight.dec();
      outcome.duration.observe(seconds);
      outcome.count.inc();
      if (this.role === 'server') this.workerShare!.inc();
    };
  }

  private readonly redisCommands = new Map<string, { observe(v: number): void }>();

  /** Times every MySQL query and Redis command the application makes. */
  instrument(app: Application): void {
    const { runtime } = this;
    app.projector.observe({
      applied: (path, count) => this.projectorEvents.inc({ runtime, path }, count),
      inlineFailed: () => this.inlineFailures.inc({ runtime }),
    });
    const started = new Map<string, bigint>();
    const mysqlDone = (_: unknown, query: { __knexQueryUid?: string }) => {
      const uid = query?.__knexQueryUid;
      const start = uid === undefined ? undefined : started.get(uid);
      if (start === undefined) return;
      started.delete(uid!);
      this.mysqlDuration.observe(this.labels, Number(process.hrtime.bigint() - start) / 1e9);
    };
    app.knex.on('query', (query: { __knexQueryUid?: string }) => {
      if (query.__knexQueryUid) started.set(query.__knexQueryUid, process.hrtime.bigint());
    });
    app.knex.on('query-response', mysqlDone);
    app.knex.on('query-error', mysqlDone);

    const redis = app.redis as unknown as { sendCommand(command: { name: string; promise: Promise<unknown> }, stream?: unknown): unknown };
    const send = redis.sendCommand.bind(redis);
    redis.sendCommand = (command, stream) => {
      const start = process.hrtime.bigint();
      let child = this.redisCommands.get(command.name);
      if (!child) this.redisCommands.set(command.name, (child = this.redisDuration.labels({ runtime: this.runtime, command: command.name })));
      const histogram = child;
      const observe = () => histogram.observe(Number(process.hrtime.bigint() - start) / 1e9);
      command.promise.then(observe, observe);
      return send(command, stream);
    };
  }

  /** Projector lag, read at scrape time (in the process that runs the projector). */
  watchProjector(app: Application): void {
    const { runtime } = this;
    new Gauge({
      name: 'cqrs_projector_lag_events', help: 'Outbox position minus projector checkpoint', labelNames: ['runtime'], registers: [this.registry],
      async collect() {
        try {
          this.set({ runtime }, await app.projector.lag());
        } catch {
          this.set({ runtime }, -1); // a service is down: unknown
        }
      },
    });
  }

  /**
   * Pool gauges for a pooled runtime, read from `state` at scrape time. Mirrors phpfpm_total_processes /
   * phpfpm_active_processes / phpfpm_idle_processes / phpfpm_listen_queue and frankenphp_total_workers /
   * frankenphp_busy_workers / frankenphp_ready_workers / frankenphp_worker_queue_depth.
   */
  watchPool(state: () => PoolState): PoolCounters {
    const { runtime } = this;
    const registers = [this.registry];
    const gauge = (name: string, help: string, read: (s: PoolState) => number) =>
      new Gauge({ name, help, labelNames: ['runtime'], registers, collect() { this.set({ runtime }, read(state())); } });
    gauge('cqrs_total_workers', 'Workers in the pool', (s) => s.total);
    gauge('cqrs_busy_workers', 'Workers handling a request now', (s) => s.busy);
    gauge('cqrs_idle_workers', 'Workers waiting for a request', (s) => s.total - s.busy);
    gauge('cqrs_queue_length', 'Requests waiting for an idle worker (FPM listen queue)', (s) => s.queue);
    const maxQueue = new Gauge({ name: 'cqrs_max_queue_length', help: 'Longest queue seen since start (FPM max listen queue)', labelNames: ['runtime'], registers });
    const queueCapacity = new Gauge({ name: 'cqrs_queue_capacity', help: 'Most requests the queue holds (FPM listen queue length)', labelNames: ['runtime'], registers });
    const maxReached = new Counter({ name: 'cqrs_max_workers_reached_total', help: 'Times a request found every worker busy (FPM max children reached)', labelNames: ['runtime'], registers });
    const restarts = new Counter({ name: 'cqrs_worker_restarts_total', help: 'Workers replaced after their request quota (FORK_MAX_REQUESTS)', labelNames: ['runtime'], registers });
    const crashes = new Counter({ name: 'cqrs_worker_crashes_total', help: 'Workers that died unexpectedly and were replaced', labelNames: ['runtime'], registers });
    let longestQueue = 0;
    maxQueue.set({ runtime }, 0);
    maxReached.inc({ runtime }, 0);
    restarts.inc({ runtime }, 0);
    crashes.inc({ runtime }, 0);
    return {
      queueSeen: (length) => {
        if (length <= longestQueue) return;
        longestQueue = length;
        maxQueue.set({ runtime }, length);
      },
      setQueueCapacity: (capacity) => queueCapacity.set({ runtime }, capacity),
      allBusy: () => maxReached.inc({ runtime }),
      restarted: () => restarts.inc({ runtime }),
      crashed: () => crashes.inc({ runtime }),
    };
  }

  async snapshot(): Promise<MetricsSnapshot> {
    return this.registry.getMetricsAsJSON();
  }
}

export interface PoolCounters {
  queueSeen(length: number): void;
  setQueueCapacity(capacity: number): void;
  allBusy(): void;
  restarted(): void;
  crashed(): void;
}

/** Prometheus text for several registries' JSON snapshots (workers plus parent), counters summed. */
export async function aggregateMetrics(snapshots: readonly MetricsSnapshot[]): Promise<{ contentType: string; body: string }> {
  const registry = AggregatorRegistry.aggregate(snapshots as unknown as object[]);
  return { contentType: registry.contentType, body: await registry.metrics() };
}

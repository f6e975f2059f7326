import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { PipelineHook } from '../http/types.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Who times requests: a `server` answers its own (express, a uws worker) and counts them as its share; a
 * `front` times requests served by others (the fork master: from arrival, queue wait included); a `back`
 * only counts its share of requests a front timed (a fork child).
 */
export type HttpRole = 'server' | 'front' | 'back';

type LabelNames = 'runtime' | 'route' | 'method' | 'status' | 'source';

interface Outcome {
  readonly duration: { observe(value: number): void };
  readonly count: { inc(): void };
}

/** Request duration, count and in-flight, and each worker's share, as a pipeline hook. */
export class HttpMetrics {
  private readonly duration: Histogram<LabelNames>;
  private readonly requests: Counter<LabelNames>;
  private readonly inFlight: { inc(): void; dec(): void };
  private readonly share: { inc(): void };
  // Label sets resolved once per route × method × status × source: prom-client hashes a labels object on
  // every call otherwise, a cost paid on every request of the hot path.
  private readonly outcomes = new Map<string, Outcome>();

  constructor(registry: Registry, private readonly runtime: string, worker: string, private readonly role: HttpRole) {
    const registers = [registry];
    this.duration = new Histogram({
      name: 'cqrs_http_request_duration_seconds', help: 'Time to answer a request, by route and status',
      labelNames: ['runtime', 'route', 'method', 'status', 'source'], buckets: LATENCY_BUCKETS, registers,
    });
    this.requests = new Counter({
      name: 'cqrs_http_requests_total', help: 'Requests answered', labelNames: ['runtime', 'route', 'method', 'status', 'source'], registers,
    });
    this.inFlight = new Gauge({ name: 'cqrs_http_requests_in_flight', help: 'Requests being handled now', labelNames: ['runtime'], registers }).labels({ runtime });
    this.share = new Counter({
      name: 'cqrs_worker_requests_total', help: 'Requests answered by each worker (how evenly the pool spreads load)',
      labelNames: ['runtime', 'worker'], registers,
    }).labels({ runtime, worker });
  }

  hook(): PipelineHook {
    const { share, inFlight } = this;
    if (this.role === 'back') return { onRequest: () => () => share.inc() };
    const countsShare = this.role === 'server';
    return {
      onRequest: () => {
        const started = process.hrtime.bigint();
        inFlight.inc();
        return (scope, response) => {
          inFlight.dec();
          const outcome = this.outcome(scope.route?.pattern ?? 'unmatched', scope.request.method, response.status, scope.route?.source ?? 'none');
          outcome.duration.observe(Number(process.hrtime.bigint() - started) / 1e9);
          outcome.count.inc();
          if (countsShare) share.inc();
        };
      },
    };
  }

  private outcome(route: string, method: string, status: number, source: string): Outcome {
    const key = `${route} ${method} ${status} ${source}`;
    let outcome = this.outcomes.get(key);
    if (!outcome) {
      const labels = { runtime: this.runtime, route, method, status: String(status), source };
      outcome = { duration: this.duration.labels(labels), count: this.requests.labels(labels) };
      this.outcomes.set(key, outcome);
    }
    return outcome;
  }
}

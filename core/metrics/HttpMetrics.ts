import type { Registry } from 'prom-client';
import { BoundCounter, BoundGauge, BoundHistogram } from './BoundMetrics.js';
import type { PipelineHook } from '../http/types.js';

const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * Who times requests: a `server` answers its own (express, a uws worker) and counts them as its share; a
 * `front` times requests served by others (the fork master: from arrival, queue wait included); a `back`
 * only counts its share of requests a front timed (a fork child).
 */
export type HttpRole = 'server' | 'front' | 'back';

const OUTCOME_LABELS = ['runtime', 'route', 'method', 'status', 'source'];

interface Outcome {
  readonly duration: { observe(value: number): void };
  readonly count: { inc(): void };
}

/** Request duration, count and in-flight, and each worker's share, as a pipeline hook. */
export class HttpMetrics {
  private readonly duration: BoundHistogram;
  private readonly requests: BoundCounter;
  private readonly inFlight: { inc(): void; dec(): void };
  private readonly shares: BoundCounter;
  /** Label sets bound once per route × method × status × source. */
  private readonly outcomes = new Map<string, Outcome>();

  constructor(registry: Registry, private readonly runtime: string, private readonly worker: string, private readonly role: HttpRole) {
    this.duration = new BoundHistogram('cqrs_http_request_duration_seconds', 'Time to answer a request, by route and status', OUTCOME_LABELS, LATENCY_BUCKETS, registry);
    this.requests = new BoundCounter('cqrs_http_requests_total', 'Requests answered', OUTCOME_LABELS, registry);
    this.inFlight = new BoundGauge('cqrs_http_requests_in_flight', 'Requests being handled now', ['runtime'], registry).bind({ runtime });
    this.shares = new BoundCounter('cqrs_worker_requests_total', 'Requests answered by each worker (how evenly the pool spreads load)', ['runtime', 'worker'], registry);
  }

  hook(): PipelineHook {
    const { inFlight } = this;
    // A front (the fork master) serves no request itself: it has no share to report.
    const share = this.role === 'front' ? { inc() {} } : this.shares.bind({ runtime: this.runtime, worker: this.worker });
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
      outcome = { duration: this.duration.bind(labels), count: this.requests.bind(labels) };
      this.outcomes.set(key, outcome);
    }
    return outcome;
  }
}

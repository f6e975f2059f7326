// Scrapes a runtime's /metrics once a second while a timed run loads it, and records what the dashboards would
// have shown (req/s, in flight, busy/total workers, queue, event-loop lag and utilisation) without a Prometheus.
// One small GET a second: negligible next to the tens of thousands the load generator sends.
import { parsePrometheusText, type MetricSample } from './prometheusText.js';
import type { Timeline, TimelinePoint } from './results.js';

/** The figures of one scrape the timeline needs; undefined where the runtime does not serve the metric. */
export interface ScrapeFigures {
  /** Requests answered since start, route /metrics excluded (the scrapes themselves). */
  readonly requests: number;
  readonly inFlight: number;
  readonly busyWorkers?: number;
  readonly totalWorkers?: number;
  readonly queueLength?: number;
  /** Worst p99 lag over processes or threads, in seconds. */
  readonly lagP99Sec?: number;
  readonly utilisationMean?: number;
  readonly utilisationMax?: number;
}

function sumOf(samples: readonly MetricSample[], name: string, keep: (s: MetricSample) => boolean = () => true): number | undefined {
  const matching = samples.filter((s) => s.name === name && keep(s) && Number.isFinite(s.value));
  return matching.length === 0 ? undefined : matching.reduce((sum, s) => sum + s.value, 0);
}

function valuesOf(samples: readonly MetricSample[], name: string, keep: (s: MetricSample) => boolean = () => true): number[] {
  return samples.filter((s) => s.name === name && keep(s) && Number.isFinite(s.value)).map((s) => s.value);
}

export function scrapeFigures(samples: readonly MetricSample[]): ScrapeFigures {
  const lags = valuesOf(samples, 'cqrs_event_loop_lag_seconds', (s) => s.labels.stat === 'p99');
  const utilisation = valuesOf(samples, 'cqrs_event_loop_utilization');
  const figures: { -readonly [K in keyof ScrapeFigures]: ScrapeFigures[K] } = {
    requests: sumOf(samples, 'cqrs_http_requests_total', (s) => s.labels.route !== '/metrics') ?? 0,
    inFlight: sumOf(samples, 'cqrs_http_requests_in_flight') ?? 0,
  };
  const busy = sumOf(samples, 'cqrs_busy_workers');
  const total = sumOf(samples, 'cqrs_total_workers');
  const queue = sumOf(samples, 'cqrs_queue_length');
  if (busy !== undefined) figures.busyWorkers = busy;
  if (total !== undefined) figures.totalWorkers = total;
  if (queue !== undefined) figures.queueLength = queue;
  if (lags.length > 0) figures.lagP99Sec = Math.max(...lags);
  if (utilisation.length > 0) {
    figures.utilisationMean = utilisation.reduce((a, b) => a + b, 0) / utilisation.length;
    figures.utilisationMax = Math.max(...utilisation);
  }
  return figures;
}

/** A point from a scrape and the one before it: rates over the time between them. */
export function timelinePoint(t: number, figures: ScrapeFigures, previous: { readonly t: number; readonly figures: ScrapeFigures }): TimelinePoint {
  const elapsed = t - previous.t;
  const delta = figures.requests - previous.figures.requests;
  // A counter that went down was reset (a restarted runtime): everything it counts now is new.
  const answered = delta < 0 ? figures.requests : delta;
  const round = (value: number, decimals: number): number => Number(value.toFixed(decimals));
  return {
    t: round(t, 3),
    rps: elapsed > 0 ? round(answered / elapsed, 1) : 0,
    inFlight: figures.inFlight,
    ...(figures.busyWorkers !== undefined && { busyWorkers: figures.busyWorkers }),
    ...(figures.totalWorkers !== undefined && { totalWorkers: figures.totalWorkers }),
    ...(figures.queueLength !== undefined && { queueLength: figures.queueLength }),
    ...(figures.lagP99Sec !== undefined && { lagP99Ms: round(figures.lagP99Sec * 1000, 3) }),
    ...(figures.utilisationMean !== undefined && { utilisationMean: round(figures.utilisationMean, 4) }),
    ...(figures.utilisationMax !== undefined && { utilisationMax: round(figures.utilisationMax, 4) }),
  };
}

/**
 * `start()` scrapes once at once (the baseline for counters; it also resets the runtimes' since-last-scrape
 * windows, so the first point's lag does not include the warm-up), then every `intervalMs` on a fixed grid;
 * a scrape still running at a tick makes the sampler skip that tick rather than pile up requests.
 * `stop()` returns the points of scrapes that completed before it was called.
 */
export class MetricsTimelineSampler {
  private readonly points: TimelinePoint[] = [];
  private failed = 0;
  private started = 0;
  private previous: { t: number; figures: ScrapeFigures } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pending: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private stopped = false;

  constructor(private readonly metricsUrl: string, private readonly intervalMs = 1000, private readonly timeoutMs = 2000) {}

  start(): void {
    this.started = performance.now();
    this.tick(0);
  }

  async stop(): Promise<Timeline> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.abort.abort();
    await this.pending;
    return { intervalSec: this.intervalMs / 1000, failedScrapes: this.failed, points: this.points };
  }

  private tick(index: number): void {
    if (this.stopped) return;
    if (!this.pending) this.pending = this.scrape().finally(() => (this.pending = undefined));
    const next = index + 1;
    const delay = Math.max(0, this.started + next * this.intervalMs - performance.now());
    this.timer = setTimeout(() => this.tick(next), delay);
  }

  private async scrape(): Promise<void> {
    let figures: ScrapeFigures;
    try {
      const response = await fetch(this.metricsUrl, { signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.timeoutMs)]) });
      const text = await response.text();
      if (!response.ok) throw new Error(`status ${response.status}`);
      figures = scrapeFigures(parsePrometheusText(text));
    } catch {
      if (!this.stopped) this.failed++;
      return;
    }
    if (this.stopped) return;
    const t = (performance.now() - this.started) / 1000;
    if (this.previous) this.points.push(timelinePoint(t, figures, this.previous));
    this.previous = { t, figures };
  }
}

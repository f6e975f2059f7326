import { expect } from 'chai';
import { Counter, Gauge, Registry } from 'prom-client';
import { scrapeFigures, timelinePoint, type ScrapeFigures } from '../../../bench/MetricsTimelineSampler.js';
import { parsePrometheusText } from '../../../bench/prometheusText.js';

/** Prometheus text as a runtime serves it (prom-client), with label values that need escaping. */
async function runtimeLikeText(): Promise<string> {
  const registry = new Registry();
  const registers = [registry];
  const requests = new Counter({ name: 'cqrs_http_requests_total', help: 'Requests answered', labelNames: ['runtime', 'route', 'method', 'status', 'source'], registers });
  requests.inc({ runtime: 'fork', route: '/:locale/products/projection/:id', method: 'GET', status: '200', source: 'redis' }, 120);
  requests.inc({ runtime: 'fork', route: 'odd "route", with {braces}\\ and\nnewline', method: 'GET', status: '404', source: 'none' }, 3);
  requests.inc({ runtime: 'fork', route: '/metrics', method: 'GET', status: '200', source: 'none' }, 7);
  new Gauge({ name: 'cqrs_http_requests_in_flight', help: 'In flight', labelNames: ['runtime'], registers }).set({ runtime: 'fork' }, 51);
  new Gauge({ name: 'cqrs_total_workers', help: 'Workers', labelNames: ['runtime'], registers }).set({ runtime: 'fork' }, 4);
  new Gauge({ name: 'cqrs_busy_workers', help: 'Busy', labelNames: ['runtime'], registers }).set({ runtime: 'fork' }, 4);
  new Gauge({ name: 'cqrs_queue_length', help: 'Queue', labelNames: ['runtime'], registers }).set({ runtime: 'fork' }, 45);
  const lag = new Gauge({ name: 'cqrs_event_loop_lag_seconds', help: 'Lag', labelNames: ['runtime', 'worker', 'stat'], registers });
  lag.set({ runtime: 'fork', worker: 'master', stat: 'p99' }, 0.004);
  lag.set({ runtime: 'fork', worker: 'child-1', stat: 'p99' }, 0.021);
  lag.set({ runtime: 'fork', worker: 'child-1', stat: 'max' }, 0.5);
  lag.set({ runtime: 'fork', worker: 'child-2', stat: 'mean' }, 0.3);
  const elu = new Gauge({ name: 'cqrs_event_loop_utilization', help: 'ELU', labelNames: ['runtime', 'worker'], registers });
  elu.set({ runtime: 'fork', worker: 'master' }, 0.2);
  elu.set({ runtime: 'fork', worker: 'child-1' }, 0.9);
  elu.set({ runtime: 'fork', worker: 'child-2' }, 0.7);
  return registry.metrics();
}

describe('bench: Prometheus text parser', () => {
  it('reads names, labels and values of real exposition text, escaped label values included', async () => {
    const text = await runtimeLikeText();
    expect(text).to.include('\\"route\\"'); // prom-client did escape it: the parser has work to do
    const samples = parsePrometheusText(text);
    const odd = samples.find((s) => s.name === 'cqrs_http_requests_total' && s.labels.status === '404');
    expect(odd?.labels.route).to.equal('odd "route", with {braces}\\ and\nnewline');
    expect(odd?.labels.source).to.equal('none');
    expect(odd?.value).to.equal(3);
    expect(samples.filter((s) => s.name === 'cqrs_http_requests_total').map((s) => s.value).sort((a, b) => a - b)).to.deep.equal([3, 7, 120]);
    expect(samples.find((s) => s.name === 'cqrs_queue_length')).to.deep.equal({ name: 'cqrs_queue_length', labels: { runtime: 'fork' }, value: 45 });
  });

  it('skips comments and lines it cannot read, and reads special values and timestamps', () => {
    const samples = parsePrometheusText([
      '# HELP x_total A counter',
      '# TYPE x_total counter',
      'x_total 5 1712345678000',
      'h_bucket{le="+Inf"} +Inf',
      'g{a="1"} NaN',
      'neg -2.5e-3',
      'broken{a="unterminated} 1',
      'novalue{a="1"}',
      '{a="1"} 3',
      '',
    ].join('\n'));
    expect(samples.map((s) => s.name)).to.deep.equal(['x_total', 'h_bucket', 'g', 'neg']);
    expect(samples[0]?.value).to.equal(5);
    expect(samples[1]).to.deep.equal({ name: 'h_bucket', labels: { le: '+Inf' }, value: Number.POSITIVE_INFINITY });
    expect(Number.isNaN(samples[2]?.value)).to.equal(true);
    expect(samples[3]?.value).to.equal(-0.0025);
  });
});

describe('bench: timeline figures from a scrape', () => {
  it('sums requests without the scrapes, takes the pool gauges, the worst p99 lag and the utilisation mean and max', async () => {
    const figures = scrapeFigures(parsePrometheusText(await runtimeLikeText()));
    expect(figures.requests).to.equal(123);
    expect(figures.inFlight).to.equal(51);
    expect(figures.busyWorkers).to.equal(4);
    expect(figures.totalWorkers).to.equal(4);
    expect(figures.queueLength).to.equal(45);
    expect(figures.lagP99Sec).to.equal(0.021); // p99 only: not the larger max or mean
    expect(figures.utilisationMean).to.be.closeTo(0.6, 1e-9);
    expect(figures.utilisationMax).to.equal(0.9);
  });

  it('leaves out what a runtime does not serve (express: no pool; lag and utilisation before they existed)', () => {
    const figures = scrapeFigures(parsePrometheusText([
      'cqrs_http_requests_total{runtime="express",route="/:locale/products/db",method="GET",status="200",source="db"} 10',
      'cqrs_http_requests_in_flight{runtime="express"} 1',
    ].join('\n')));
    expect(figures).to.deep.equal({ requests: 10, inFlight: 1 });
  });

  it('turns two scrapes into a point: req/s over the time between them, a reset counter counted from zero', () => {
    const before: ScrapeFigures = { requests: 1000, inFlight: 1 };
    const after: ScrapeFigures = { requests: 3500, inFlight: 50, busyWorkers: 2, totalWorkers: 2, queueLength: 0, lagP99Sec: 0.0123456, utilisationMean: 0.5, utilisationMax: 0.98 };
    expect(timelinePoint(2.5, after, { t: 1.25, figures: before })).to.deep.equal({
      t: 2.5, rps: 2000, inFlight: 50, busyWorkers: 2, totalWorkers: 2, queueLength: 0, lagP99Ms: 12.346, utilisationMean: 0.5, utilisationMax: 0.98,
    });
    const reset = timelinePoint(2, { requests: 300, inFlight: 1 }, { t: 1, figures: { requests: 5000, inFlight: 1 } });
    expect(reset).to.deep.equal({ t: 2, rps: 300, inFlight: 1 });
  });
});

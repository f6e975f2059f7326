import { expect } from 'chai';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { BoundCounter, BoundGauge, BoundHistogram } from '../../../../core/metrics/BoundMetrics.js';

// The request path's metrics must export exactly what prom-client's own would for the same observations: the
// same text on /metrics and the same sums when workers are aggregated.

const BUCKETS = [0.001, 0.01, 0.1, 1];
const OBSERVATIONS: ReadonlyArray<[route: string, seconds: number]> = [
  ['/a', 0.0005], ['/a', 0.001], ['/a', 0.0011], ['/b', 0.05], ['/a', 0.5], ['/b', 1], ['/b', 3], ['/a', 0.01],
];

function recordBoth(): { bound: Registry; reference: Registry } {
  const bound = new Registry();
  const reference = new Registry();
  const histogram = new BoundHistogram('t_seconds', 'help', ['runtime', 'route'], BUCKETS, bound);
  const counter = new BoundCounter('t_total', 'help', ['runtime', 'route'], bound);
  const gauge = new BoundGauge('t_in_flight', 'help', ['runtime'], bound).bind({ runtime: 'x' });
  const refHistogram = new Histogram({ name: 't_seconds', help: 'help', labelNames: ['runtime', 'route'], buckets: BUCKETS, registers: [reference] });
  const refCounter = new Counter({ name: 't_total', help: 'help', labelNames: ['runtime', 'route'], registers: [reference] });
  const refGauge = new Gauge({ name: 't_in_flight', help: 'help', labelNames: ['runtime'], registers: [reference] });
  for (const [route, seconds] of OBSERVATIONS) {
    histogram.bind({ runtime: 'x', route }).observe(seconds);
    counter.bind({ runtime: 'x', route }).inc();
    refHistogram.observe({ runtime: 'x', route }, seconds);
    refCounter.inc({ runtime: 'x', route });
  }
  gauge.inc(); gauge.inc(); gauge.dec();
  refGauge.inc({ runtime: 'x' }, 1);
  return { bound, reference };
}

describe('BoundMetrics: prom-client\'s export, without hashing labels on every call', () => {
  it('/metrics text is the same as prom-client\'s for the same observations', async () => {
    const { bound, reference } = recordBoth();
    expect(await bound.metrics()).to.equal(await reference.metrics());
  });

  it('aggregated over workers, the sums are the same as prom-client\'s', async () => {
    const [a, b] = [recordBoth(), recordBoth()];
    const ours = AggregatorRegistry.aggregate([await a.bound.getMetricsAsJSON(), await b.bound.getMetricsAsJSON()] as never);
    const theirs = AggregatorRegistry.aggregate([await a.reference.getMetricsAsJSON(), await b.reference.getMetricsAsJSON()] as never);
    expect(await ours.metrics()).to.equal(await theirs.metrics());
    expect(await ours.metrics()).to.include('t_seconds_count{runtime="x",route="/a"} 10');
  });

  it('a value on a bucket\'s bound counts in that bucket, as Prometheus\'s `le` says', async () => {
    const registry = new Registry();
    new BoundHistogram('b_seconds', 'help', ['runtime'], BUCKETS, registry).bind({ runtime: 'x' }).observe(0.01);
    const text = await registry.metrics();
    expect(text).to.include('b_seconds_bucket{le="0.001",runtime="x"} 0');
    expect(text).to.include('b_seconds_bucket{le="0.01",runtime="x"} 1');
  });

  it('a missing label is refused at binding, not silently exported', () => {
    const registry = new Registry();
    expect(() => new BoundCounter('m_total', 'help', ['runtime', 'route'], registry).bind({ runtime: 'x' })).to.throw(/route is missing/);
  });
});

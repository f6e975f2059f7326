import type { Registry } from 'prom-client';

// Counters, gauges and histograms for the request path, whose label sets are bound once: recording is a few
// additions on plain numbers. prom-client validates and hashes the labels on every call, even through a child
// from `labels()`, a cost paid several times per request. These register in a prom-client Registry like its
// own metrics (the same `get()` shape), so /metrics, the aggregation of workers and Prometheus see no difference.

type Labels = Readonly<Record<string, string>>;

interface MetricValue {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
}

interface MetricObject {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly values: MetricValue[];
  readonly aggregator: 'sum';
}

abstract class BoundMetric<Cell> {
  readonly aggregator = 'sum' as const;
  protected readonly cells = new Map<string, { readonly labels: Labels; readonly cell: Cell }>();

  constructor(readonly name: string, readonly help: string, private readonly labelNames: readonly string[], registry: Registry) {
    registry.registerMetric(this as never);
  }

  protected cellOf(labels: Labels, create: () => Cell): Cell {
    const key = this.labelNames.map((name) => {
      const value = labels[name];
      if (value === undefined) throw new Error(`${this.name}: label ${name} is missing`);
      return value;
    }).join('\u0000');
    let entry = this.cells.get(key);
    if (!entry) this.cells.set(key, (entry = { labels: { ...labels }, cell: create() }));
    return entry.cell;
  }

  reset(): void {
    this.cells.clear();
  }
}

export class BoundCounter extends BoundMetric<{ value: number }> {
  readonly type = 'counter' as const;

  /** The series of these labels (created at 0, so it is exported before its first increment). */
  bind(labels: Labels): { inc(by?: number): void } {
    const cell = this.cellOf(labels, () => ({ value: 0 }));
    return { inc: (by = 1) => { cell.value += by; } };
  }

  async get(): Promise<MetricObject> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator,
      values: [...this.cells.values()].map(({ labels, cell }) => ({ labels: { ...labels }, value: cell.value })) };
  }
}

export class BoundGauge extends BoundMetric<{ value: number }> {
  readonly type = 'gauge' as const;

  bind(labels: Labels): { inc(): void; dec(): void } {
    const cell = this.cellOf(labels, () => ({ value: 0 }));
    return { inc: () => { cell.value++; }, dec: () => { cell.value--; } };
  }

  async get(): Promise<MetricObject> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator,
      values: [...this.cells.values()].map(({ labels, cell }) => ({ labels: { ...labels }, value: cell.value })) };
  }
}

interface HistogramCell {
  /** Observations per bucket (not cumulative); the last slot is +Inf. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

export class BoundHistogram extends BoundMetric<HistogramCell> {
  readonly type = 'histogram' as const;

  constructor(name: string, help: string, labelNames: readonly string[], private readonly buckets: readonly number[], registry: Registry) {
    super(name, help, labelNames, registry);
  }

  bind(labels: Labels): { observe(value: number): void } {
    const { buckets } = this;
    const cell = this.cellOf(labels, () => ({ counts: new Float64Array(buckets.length + 1), sum: 0, count: 0 }));
    return {
      observe(value: number) {
        let i = 0;
        while (i < buckets.length && value > buckets[i]!) i++;
        cell.counts[i]!++;
        cell.sum += value;
        cell.count++;
      },
    };
  }

  /** Cumulative buckets, then sum and count, as prom-client exports a histogram. */
  async get(): Promise<MetricObject> {
    const values: MetricValue[] = [];
    for (const { labels, cell } of this.cells.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += cell.counts[i]!;
        values.push({ labels: { le: bound, ...labels }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: '+Inf', ...labels }, value: cell.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...labels }, value: cell.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...labels }, value: cell.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

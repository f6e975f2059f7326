// "What the dashboards would have shown": the /metrics timelines recorded during the timed repeats, drawn as
// small dashboard-like time-series charts for one cell per runtime and for the worker sweep.
import type { BenchResults, Cell, RuntimeName, TimelinePoint } from '../../results.js';
import { formatMs, formatNumber, formatRps } from '../../format.js';
import { runtimesOf, scenarioName } from '../analysis/common.js';
import { timeSeriesChart, type LinePoint, type TimePanel, type TimeSeries } from '../svg.js';
import type { ChartLink } from './chart.js';

export type TimelineMetric = Exclude<keyof TimelinePoint, 't'>;

/** A cell's repeats back to back: x in seconds of load (warm-up and the pauses between repeats left out). */
export interface CellTimeline {
  readonly points: readonly { readonly x: number; readonly point: TimelinePoint }[];
  /** Where the second, third… repeat starts. */
  readonly repeatStarts: readonly number[];
  readonly failedScrapes: number;
  /** Seconds of load drawn: the repeats' durations added up. */
  readonly duration: number;
}

export function cellTimeline(cell: Cell): CellTimeline {
  const points: { x: number; point: TimelinePoint }[] = [];
  const repeatStarts: number[] = [];
  let offset = 0;
  let failedScrapes = 0;
  cell.runs.forEach((run, index) => {
    if (index > 0) repeatStarts.push(offset);
    const timeline = run.timeline;
    for (const point of timeline?.points ?? []) points.push({ x: Number((offset + point.t).toFixed(3)), point });
    failedScrapes += timeline?.failedScrapes ?? 0;
    const lastT = timeline?.points.at(-1)?.t ?? 0;
    offset += Math.max(run.durationSec, lastT);
  });
  return { points, repeatStarts, failedScrapes, duration: Number(offset.toFixed(3)) };
}

/** The points of one metric, where the runtime served it. */
export function metricPoints(timeline: CellTimeline, metric: TimelineMetric): LinePoint[] {
  return timeline.points.flatMap(({ x, point }) => (point[metric] === undefined ? [] : [{ x, y: point[metric] }]));
}

function hasTimeline(cell: Cell): boolean {
  return cell.runs.some((run) => (run.timeline?.points.length ?? 0) > 0);
}

const NO_POOL = 'no worker pool: one process';
const NOT_SERVED = 'not in this runtime’s /metrics';

const workerWord = (runtime: RuntimeName, count = 2): string =>
  count === 1 ? (runtime === 'fork' ? 'child' : runtime === 'uws' ? 'worker thread' : 'worker') : runtime === 'fork' ? 'children' : runtime === 'uws' ? 'worker threads' : 'workers';

/** Mean, max and min of a metric over a cell's scrapes; undefined when the runtime does not serve it. */
function stats(timeline: CellTimeline, metric: TimelineMetric): { mean: number; max: number; min: number } | undefined {
  const values = metricPoints(timeline, metric).map((p) => p.y);
  if (values.length === 0) return undefined;
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, max: Math.max(...values), min: Math.min(...values) };
}

export function dashboardSection(results: BenchResults, chart: ChartLink): string[] {
  const lines = ['## What the dashboards would have shown', ''];
  const watched = results.cells.filter(hasTimeline);
  if (watched.length === 0) {
    return [...lines, 'Not recorded: the results have no timelines (a results file of schema 1 predates the bench sampling `/metrics`).'];
  }
  const interval = results.cells.flatMap((c) => c.runs).find((r) => r.timeline)?.timeline?.intervalSec ?? 1;
  const failed = watched.reduce((sum, c) => sum + cellTimeline(c).failedScrapes, 0);
  lines.push(
    `During every timed repeat (not the warm-up) the bench read the runtime's \`/metrics\` every ${formatNumber(interval, interval < 1 ? 1 : 0)} s, ` +
      'the series the Grafana dashboards plot, without a Prometheus: req/s (from `cqrs_http_requests_total`, scrapes left out), requests in flight, ' +
      'busy and total workers, queue length, event-loop lag p99 (the worst process or thread) and event-loop utilisation ' +
      '(mean and max over the processes or threads, the fork master and the uws main thread included; 1 = never idle). ' +
      'A cell’s repeats are drawn back to back, a dotted line where one starts. The scrape is itself a request: it counts 1 in flight ' +
      '(but makes no worker busy). express has no worker pool, so its workers and queue panels stay empty.' +
      (failed > 0 ? ` ${formatNumber(failed)} scrapes failed (timed out or not 200) and left a gap.` : ''),
  );

  const matrix = watched.filter((c) => c.group === 'matrix');
  const preferred = matrix.find((c) => c.entity === 'products' && c.source === 'redis' && c.operation === 'get') ?? matrix[0];
  if (preferred) {
    lines.push('', `### One cell per runtime: ${scenarioName(preferred)}`, '');
    for (const runtime of runtimesOf(results)) {
      const cell = matrix.find((c) => c.runtime === runtime && scenarioName(c) === scenarioName(preferred) && c.listQuery === preferred.listQuery);
      if (!cell) continue;
      const title = `${runtime}, ${scenarioName(cell)} over time`;
      lines.push(chart(`timeline-${runtime}.svg`, title, cellChart(cell, title)), '', cellSentence(cell), '');
    }
    lines.pop();
  }

  const sweep = watched.filter((c) => c.group === 'sweep');
  const sweepRuntimes = runtimesOf(results).filter((r) => sweep.some((c) => c.runtime === r));
  if (sweepRuntimes.length > 0) {
    lines.push('', '### The worker sweep over time', '');
    for (const runtime of sweepRuntimes) {
      const first = sweep.find((c) => c.runtime === runtime)!;
      const cells = sweep.filter((c) => c.runtime === runtime && scenarioName(c) === scenarioName(first)).sort((a, b) => a.workers - b.workers);
      const title = `${runtime} worker sweep over time, ${scenarioName(first)}`;
      lines.push(chart(`timeline-sweep-${runtime}.svg`, title, sweepChart(runtime, cells, title)), '', sweepSentence(runtime, cells), '');
    }
    lines.pop();
  }
  return lines;
}

const CELL_SERIES: readonly { readonly metric: TimelineMetric; readonly name: string; readonly color: number; readonly dashed?: boolean }[] = [
  { metric: 'rps', name: 'req/s', color: 0 },
  { metric: 'inFlight', name: 'in flight', color: 1 },
  { metric: 'busyWorkers', name: 'busy workers', color: 2 },
  { metric: 'totalWorkers', name: 'total workers', color: 3, dashed: true },
  { metric: 'queueLength', name: 'queue length', color: 4 },
  { metric: 'lagP99Ms', name: 'lag p99', color: 5 },
  { metric: 'utilisationMean', name: 'utilisation mean', color: 6 },
  { metric: 'utilisationMax', name: 'utilisation max', color: 7, dashed: true },
];

function cellChart(cell: Cell, title: string): string {
  const timeline = cellTimeline(cell);
  const series = (metric: TimelineMetric): TimeSeries => {
    const spec = CELL_SERIES.find((s) => s.metric === metric)!;
    return { name: spec.name, color: spec.color, ...(spec.dashed && { dashed: true }), points: metricPoints(timeline, metric), data: { cell: cell.id, metric } };
  };
  const pool = cell.runtime === 'express' ? NO_POOL : NOT_SERVED;
  const panels: TimePanel[] = [
    { title: 'Throughput', unit: 'req/s', series: [series('rps')], empty: NOT_SERVED, formatValue: formatRps },
    { title: 'Requests in flight', unit: 'requests', series: [series('inFlight')], empty: NOT_SERVED },
    { title: `Busy vs total ${workerWord(cell.runtime)}`, unit: 'workers', series: [series('busyWorkers'), series('totalWorkers')], empty: pool },
    { title: 'Queue length', unit: 'requests', series: [series('queueLength')], empty: pool },
    { title: 'Event-loop lag p99 (worst)', unit: 'ms', series: [series('lagP99Ms')], empty: NOT_SERVED, formatValue: formatMs },
    { title: 'Event-loop utilisation', unit: '0–1', series: [series('utilisationMean'), series('utilisationMax')], empty: NOT_SERVED, yMax: 1, formatValue: (v) => formatNumber(v, 2) },
  ];
  return timeSeriesChart({
    title,
    subtitle: `${cell.id}, ${cell.runtime === 'express' ? 'one process' : `${cell.workers} ${workerWord(cell.runtime, cell.workers)}`}; ` +
      `/metrics every second, ${cell.runs.length === 1 ? 'one repeat' : `${cell.runs.length} repeats back to back`}`,
    xMax: timeline.duration,
    xUnit: 's of load',
    legend: CELL_SERIES.map(({ name, color, dashed }) => ({ name, color, ...(dashed && { dashed }) })),
    panels,
    markers: timeline.repeatStarts.map((x, i) => ({ x, label: `repeat ${i + 2}` })),
  });
}

const poolName = (workers: number): string => `${workers} ${workers === 1 ? 'worker' : 'workers'}`;

function sweepChart(runtime: RuntimeName, cells: readonly Cell[], title: string): string {
  const perCell = cells.map((cell, index) => ({ cell, color: index, timeline: cellTimeline(cell) }));
  const series = (metric: TimelineMetric, dashed = false): TimeSeries[] =>
    perCell.map(({ cell, color, timeline }) => ({
      name: `${poolName(cell.workers)}${metric === 'totalWorkers' ? ', total' : ''}`, color, ...(dashed && { dashed }), points: metricPoints(timeline, metric),
      data: { cell: cell.id, metric },
    }));
  const longest = perCell.reduce((best, c) => (c.timeline.repeatStarts.length > best.length ? c.timeline.repeatStarts : best), [] as readonly number[]);
  return timeSeriesChart({
    title,
    subtitle: `one line per pool size (${runtime === 'fork' ? 'FORK_WORKERS' : 'UWS_WORKERS'}); busy solid, total dashed`,
    xMax: Math.max(...perCell.map((c) => c.timeline.duration)),
    xUnit: 's of load',
    legend: perCell.map(({ cell, color }) => ({ name: poolName(cell.workers), color })),
    panels: [
      { title: 'Throughput', unit: 'req/s', series: series('rps'), empty: NOT_SERVED, formatValue: formatRps },
      { title: `Busy vs total ${workerWord(runtime)}`, unit: 'workers', series: [...series('busyWorkers'), ...series('totalWorkers', true)], empty: NOT_SERVED },
      { title: 'Queue length', unit: 'requests', series: series('queueLength'), empty: NOT_SERVED },
      { title: 'Event-loop utilisation, mean', unit: '0–1', series: series('utilisationMean'), empty: NOT_SERVED, yMax: 1, formatValue: (v) => formatNumber(v, 2) },
    ],
    markers: longest.map((x, i) => ({ x, label: `repeat ${i + 2}` })),
  });
}

function cellSentence(cell: Cell): string {
  const timeline = cellTimeline(cell);
  const scrapes = timeline.points.length;
  const rps = stats(timeline, 'rps');
  const parts = [`**${cell.runtime}**: ${scrapes} scrape${scrapes === 1 ? '' : 's'}${rps ? `, ${formatRps(rps.min)}–${formatRps(rps.max)} req/s` : ''}`];
  const busy = stats(timeline, 'busyWorkers');
  const total = stats(timeline, 'totalWorkers');
  const queue = stats(timeline, 'queueLength');
  const inFlight = stats(timeline, 'inFlight');
  if (busy && total) {
    const allBusy = timeline.points.filter(({ point }) => point.busyWorkers !== undefined && point.totalWorkers !== undefined && point.busyWorkers >= point.totalWorkers).length;
    parts.push(`all ${formatNumber(total.max)} ${workerWord(cell.runtime, total.max)} busy in ${allBusy} of ${scrapes} scrapes (${formatNumber(busy.mean, 1)} busy on average)`);
  } else if (inFlight) {
    parts.push(`no worker pool: one event loop with ${formatNumber(inFlight.mean, 1)} requests in flight on average`);
  }
  if (queue && queue.max > 0) parts.push(`the queue held ${formatNumber(queue.mean, 1)} requests on average (up to ${formatNumber(queue.max)}): requests wait for a free worker, the FPM listen queue filling`);
  else if (queue) parts.push('the queue stayed empty');
  const lag = stats(timeline, 'lagP99Ms');
  if (lag) parts.push(`event-loop lag p99 up to ${formatMs(lag.max)} ms`);
  const mean = stats(timeline, 'utilisationMean');
  const max = stats(timeline, 'utilisationMax');
  if (mean && max) {
    const saturated = max.mean >= 0.9 ? ': the busiest loop was hardly ever idle, saturated' : '';
    parts.push(`utilisation ${formatNumber(mean.mean, 2)} mean, ${formatNumber(max.mean, 2)} for the busiest process or thread${saturated}`);
  }
  return `${parts.join('; ')}.`;
}

function sweepSentence(runtime: RuntimeName, cells: readonly Cell[]): string {
  const points = cells.map((cell) => {
    const timeline = cellTimeline(cell);
    const busy = stats(timeline, 'busyWorkers');
    const queue = stats(timeline, 'queueLength');
    const utilisation = stats(timeline, 'utilisationMean');
    return { workers: cell.workers, busy, queue, utilisation };
  });
  const described = points.map((p) =>
    [`${p.workers}: ${p.busy ? `${formatNumber(p.busy.mean, 1)} of ${p.workers} busy` : 'busy not served'}`,
      ...(p.queue ? [`queue ${formatNumber(p.queue.mean, 1)}`] : []),
      ...(p.utilisation ? [`utilisation ${formatNumber(p.utilisation.mean, 2)}`] : [])].join(', '));
  const queued = points.filter((p) => p.queue && p.queue.mean >= 1).map((p) => p.workers);
  const emptyFrom = points.find((p) => p.queue && p.queue.mean < 1 && points.every((q) => q.workers < p.workers || (q.queue && q.queue.mean < 1)));
  let reading = '';
  if (queued.length === points.length) reading = ' Requests queue at every pool size: every worker is taken and the rest wait.';
  else if (queued.length > 0 && emptyFrom) reading = ` The queue empties from ${emptyFrom.workers} workers on.`;
  return `**${runtime}**, mean over the scrapes by pool size — ${described.join('; ')}.${reading}`;
}

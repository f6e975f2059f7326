// Throughput and latency of the matrix, the worker sweep and fork's persistent connections: tables and charts.
import { driverBoundReason, driverCeiling } from '../../driverBound.js';
import { formatMs, formatNumber, formatRatio, formatRps } from '../../format.js';
import type { BenchResults, Cell, Operation } from '../../results.js';
import { ENTITIES, OPERATIONS, operationName, runtimesOf, scenarioName, SOURCES } from '../analysis/common.js';
import type { Findings } from '../analysis/index.js';
import { persistentSentence, sweepSentence } from '../prose/reads.js';
import { barChart, lineChart } from '../svg.js';
import type { ChartLink } from './chart.js';

export function throughput(results: BenchResults, all: Findings, chart: ChartLink): string[] {
  const matrix = results.cells.filter((c) => c.group === 'matrix');
  const lines = ['## Throughput and latency', ''];
  if (matrix.length === 0) return [...lines, 'Not measured: the results have no matrix cells.'];
  lines.push(
    'One row per cell: req/s is the median of the repeats (min–max); latencies in ms; CPU in % of one core ' +
      `(${results.machine.cores} cores = ${results.machine.cores * 100}%), the server's whole process tree and the load generator apart.`,
  );
  const header = [
    '| runtime | entity | source | operation | req/s median (min–max) | p50 ms | p95 ms | p99 ms | errors + non-2xx | server CPU % | server peak RSS MiB | load generator CPU % |',
    '|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const operation of OPERATIONS) {
    const queries = [...new Set(matrix.filter((c) => c.operation === operation).map((c) => c.listQuery))].sort();
    for (const query of queries) {
      const cells = ENTITIES.flatMap((entity) =>
        SOURCES.flatMap((source) =>
          all.runtimes.flatMap((runtime) =>
            matrix.filter((c) => c.operation === operation && c.listQuery === query && c.entity === entity && c.source === source && c.runtime === runtime),
          ),
        ),
      );
      lines.push('', `### ${operation === 'get' ? 'Get by id' : `List (\`${query}\`)`}`, '', ...header, ...cells.map((cell) => throughputRow(results, cell)));
    }
  }
  for (const operation of OPERATIONS) lines.push('', ...throughputChart(results, operation, chart));
  lines.push('', ...latencyChart(results, chart));
  lines.push('', ...workerSweep(all, chart));
  lines.push('', ...persistentConnections(all));
  return lines;
}

function persistentConnections(all: Findings): string[] {
  const lines = ['### fork with persistent connections', ''];
  const findings = all.persistent;
  if (findings.length === 0) return [...lines, persistentSentence(findings)];
  lines.push(
    "PHP-FPM's knob that matters: fork's matrix again with `FORK_PERSISTENT=1` (children keep their MySQL and Redis connections " +
      'between requests, like persistent connections), in the same run, so the per-request bootstrap\'s share is a ratio.',
    '',
    '| entity | source | operation | per-request bootstrap req/s | persistent req/s | persistent ÷ per-request | bootstrap share of a request |',
    '|---|---|---|---:|---:|---:|---:|',
    ...findings.map((f) => `| ${f.entity} | ${f.source} | ${f.operation} | ${formatRps(f.perRequestRps)} | ${formatRps(f.persistentRps)} | ${formatRatio(f.ratio)} | ${Math.round(f.bootstrapShare * 100)}% |`),
    '',
    `- ${persistentSentence(findings)}`,
  );
  return lines;
}

function throughputRow(results: BenchResults, cell: Cell): string {
  const s = cell.summary;
  const bound = driverBoundReason(cell, driverCeiling(results)) !== null;
  const failed = s.errors + s.non2xx;
  return (
    `| ${cell.runtime} | ${cell.entity} | ${cell.source} | ${cell.operation} | ${formatRps(s.rps.median)} (${formatRps(s.rps.min)}–${formatRps(s.rps.max)}) | ` +
    `${formatMs(s.p50)} | ${formatMs(s.p95)} | ${formatMs(s.p99)} | ${failed > 0 ? `⚠ ${formatNumber(s.errors)} + ${formatNumber(s.non2xx)}` : '0'} | ` +
    `${formatNumber(s.serverCpuPct)} | ${formatNumber(s.serverPeakRssMiB)} | ${formatNumber(s.driverCpuPct)}${bound ? ' ⚠ driver-bound' : ''} |`
  );
}

export function throughputChart(results: BenchResults, operation: Operation, chart: ChartLink): string[] {
  const cells = results.cells.filter((c) => c.group === 'matrix' && c.operation === operation && c.readMode === 'default');
  const title = `Throughput, ${operationName(operation)}`;
  if (cells.length === 0) return [`${title}: not measured.`];
  const find = (runtime: string, entity: string, source: string): Cell | undefined =>
    cells.find((c) => c.runtime === runtime && c.entity === entity && c.source === source);
  const categories = ENTITIES.flatMap((entity) => SOURCES.filter((source) => runtimesOf(results).some((r) => find(r, entity, source))).map((source) => ({ entity, source })));
  const runtimes = runtimesOf(results).filter((r) => cells.some((c) => c.runtime === r));
  const svg = barChart({
    title,
    subtitle: `req/s, median of the repeats; ${results.settings.connections} connections${operation === 'list' ? `; ${[...new Set(cells.map((c) => c.listQuery))].join(', ')}` : ''}`,
    unit: 'req/s',
    orientation: 'horizontal',
    categories: categories.map((c) => `${c.entity}/${c.source}`),
    series: runtimes.map((runtime) => ({ name: runtime, values: categories.map((c) => find(runtime, c.entity, c.source)?.summary.rps.median ?? null) })),
    formatValue: formatRps,
  });
  return [chart(`throughput-${operation}.svg`, title, svg)];
}

function latencyChart(results: BenchResults, chart: ChartLink): string[] {
  const matrix = results.cells.filter((c) => c.group === 'matrix');
  const preferred = matrix.find((c) => c.entity === 'products' && c.source === 'redis' && c.operation === 'get') ?? matrix[0];
  if (!preferred) return ['Latency percentiles: not measured.'];
  const same = (c: Cell): boolean =>
    c.entity === preferred.entity && c.source === preferred.source && c.operation === preferred.operation && c.listQuery === preferred.listQuery;
  const cells = runtimesOf(results).flatMap((runtime) => matrix.filter((c) => c.runtime === runtime && same(c)).slice(0, 1));
  const title = `Latency percentiles, ${scenarioName(preferred)}`;
  const svg = barChart({
    title,
    subtitle: `ms, at ${results.settings.connections} connections`,
    unit: 'ms',
    orientation: 'vertical',
    categories: cells.map((c) => c.runtime),
    series: (['p50', 'p95', 'p99'] as const).map((p) => ({ name: p, values: cells.map((c) => c.summary[p]) })),
    formatValue: formatMs,
  });
  return [chart('latency.svg', title, svg)];
}

function workerSweep(all: Findings, chart: ChartLink): string[] {
  const lines = ['### Worker sweep', ''];
  const sweep = all.sweep;
  if (sweep.length === 0) return [...lines, 'Not measured: the results have no sweep cells.'];
  // Name a series by runtime/source, adding the entity and operation only when the sweep covers several.
  const several = new Set(sweep.map((f) => `${f.entity}/${f.operation}`)).size > 1;
  const label = (f: (typeof sweep)[number]): string => `${f.runtime}/${f.source}${several ? ` ${f.entity} ${f.operation}` : ''}`;
  const workers = [...new Set(sweep.flatMap((f) => f.points.map((p) => p.workers)))].sort((a, b) => a - b);
  lines.push(
    'req/s (median) by pool size: FORK_WORKERS for fork, UWS_WORKERS for uws; the best point in bold.',
    '',
    `| series | scenario | ${workers.map((w) => `${w} worker${w === 1 ? '' : 's'}`).join(' | ')} |`,
    `|---|---|${workers.map(() => '---:').join('|')}|`,
    ...sweep.map((f) => {
      const values = workers.map((w) => {
        const point = f.points.find((p) => p.workers === w);
        if (!point) return '–';
        return point.workers === f.best.workers ? `**${formatRps(point.rps)}**` : formatRps(point.rps);
      });
      return `| ${label(f)} | ${scenarioName(f)} | ${values.join(' | ')} |`;
    }),
    '',
  );
  const title = 'Worker sweep';
  const svg = lineChart({
    title,
    subtitle: 'req/s (median) by pool size',
    xLabel: 'workers (FORK_WORKERS, UWS_WORKERS)',
    yUnit: 'req/s',
    xScale: 'log2',
    series: sweep.map((f) => ({ name: label(f), points: f.points.map((p) => ({ x: p.workers, y: p.rps })) })),
    formatValue: formatRps,
  });
  lines.push(chart('worker-sweep.svg', title, svg), '', ...sweep.map((f) => `- ${sweepSentence(f)}`));
  return lines;
}

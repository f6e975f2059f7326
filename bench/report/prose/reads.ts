// Sentences about the read cells, written from their findings (analysis/reads.ts).
import { formatNumber, formatRatio, formatRps, plural } from '../../format.js';
import type { BenchResults, Operation, ReadMode, RuntimeName } from '../../results.js';
import { median, operationName, scenarioName } from '../analysis/common.js';
import type {
  CellFailures, CursorFinding, DepthFinding, LoadGeneratorFinding, PersistentFinding, ReadModeFinding, ReadModeStep, RuntimeRatioFinding, SourceRatioFinding, SweepFinding,
} from '../analysis/reads.js';

/** What moving to a read mode removes. */
export const READ_MODE_CAUSES: Readonly<Record<Exclude<ReadMode, 'original'>, { readonly cause: string; readonly fix: string }>> = {
  'original-mget': { cause: 'one Redis round trip per id', fix: 'one MGET for all ids' },
  'original-pooled': { cause: 'a new Redis connection per request', fix: 'a pooled connection' },
  'original-paged': { cause: 'reading the whole list', fix: 'reading a page' },
  default: { cause: 'JSON decoding into objects with Date objects', fix: 'compact msgpack decoded into plain objects (no Date objects)' },
};

/** The cause a read mode removes for an operation: for a list, the default also reads its page in one script. */
export function causeOf(mode: Exclude<ReadMode, 'original'>, operation: Operation): { readonly cause: string; readonly fix: string } {
  const { cause, fix } = READ_MODE_CAUSES[mode];
  if (mode === 'default' && operation === 'list') return { cause: `${cause}, over several round trips`, fix: `${fix}, in one round-trip script` };
  return { cause, fix };
}

function speedupWords(ratio: number): string {
  if (ratio >= 1.05) return `${formatRatio(ratio)} faster`;
  if (ratio <= 0.95) return `${formatRatio(ratio)}, i.e. slower`;
  return `${formatRatio(ratio)}, no measurable change`;
}

export function failuresSentence(failures: readonly CellFailures[]): string {
  if (failures.length === 0) return 'Every request of every cell was answered 2xx, with no errors or timeouts.';
  const total = failures.reduce((sum, f) => sum + f.errors + f.non2xx, 0);
  return `${failures.length} ${plural(failures.length, 'cell')} had failed requests (${formatNumber(total)} errors and non-2xx answers in all: ${failures
    .map((f) => f.cell.id).join(', ')}); their numbers are not clean measurements.`;
}

export function sourceSentence(f: SourceRatioFinding): string {
  const what = `${f.runtime}, ${f.entity} ${operationName(f.operation)}`;
  return f.ratio === null || f.redisRps === null || f.dbRps === null
    ? `${what}: projection vs MySQL not measured (${f.redisRps === null ? 'no redis cell' : 'no db cell'}).`
    : `${what}: projection reads ${formatRps(f.redisRps)} req/s vs MySQL ${formatRps(f.dbRps)} req/s, ${formatRatio(f.ratio)}.`;
}

export function runtimeRatioSentence(f: RuntimeRatioFinding): string {
  const scenario = scenarioName(f);
  return f.ratio === null || f.numeratorRps === null || f.denominatorRps === null
    ? `${f.numerator} ÷ ${f.denominator} on ${scenario}: not measured.`
    : `${f.numerator} ÷ ${f.denominator} on ${scenario}: ${formatRps(f.numeratorRps)} ÷ ${formatRps(f.denominatorRps)} req/s = ${formatRatio(f.ratio)}.`;
}

export function sourceSummary(runtime: RuntimeName, findings: readonly SourceRatioFinding[]): string {
  const measured = findings.filter((f): f is SourceRatioFinding & { ratio: number } => f.ratio !== null);
  if (measured.length === 0) return `${runtime}: projection reads vs MySQL reads not measured.`;
  const low = measured.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  const high = measured.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const below = measured.filter((f) => f.ratio < 1).length;
  return `${runtime}: projection reads run at ${formatRatio(low.ratio)} (${low.entity} ${low.operation}) to ${formatRatio(high.ratio)} (${high.entity} ${high.operation}) ` +
    `the rate of MySQL reads over ${measured.length} ${plural(measured.length, 'scenario')}` + (below > 0 ? `; slower than MySQL in ${below}.` : '.');
}

export function runtimePairSummary(numerator: RuntimeName, denominator: RuntimeName, findings: readonly RuntimeRatioFinding[]): string {
  const measured = findings.filter((f): f is RuntimeRatioFinding & { ratio: number } => f.ratio !== null);
  if (measured.length === 0) return `${numerator} ÷ ${denominator}: not measured.`;
  const low = measured.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  const high = measured.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  return `${numerator} ÷ ${denominator}: ${formatRatio(low.ratio)} (${scenarioName(low)}) to ${formatRatio(high.ratio)} (${scenarioName(high)}), ` +
    `median ${formatRatio(median(measured.map((f) => f.ratio)))} over ${measured.length} ${plural(measured.length, 'scenario')}.`;
}

export function sweepSentence(f: SweepFinding): string {
  const { best } = f;
  const first = f.points[0] ?? best;
  const last = f.points[f.points.length - 1] ?? best;
  const parts = [`${f.runtime}, ${scenarioName(f)}: most req/s with ${best.workers} ${plural(best.workers, 'worker')} (${formatRps(best.rps)} req/s)`];
  if (first !== best && first.rps > 0) parts.push(`${formatRatio(best.rps / first.rps)} the rate with ${first.workers} ${plural(first.workers, 'worker')}`);
  if (last !== best) parts.push(`${last.workers} workers give ${formatRps(last.rps)} req/s, ${formatNumber(((best.rps - last.rps) / best.rps) * 100)}% below the best`);
  return `${parts.join('; ')}.`;
}

export function persistentSentence(findings: readonly PersistentFinding[]): string {
  if (findings.length === 0) return 'fork with persistent connections (FORK_PERSISTENT=1): not measured.';
  const ratios = findings.map((f) => f.ratio).sort((a, b) => a - b);
  const shares = findings.map((f) => f.bootstrapShare).sort((a, b) => a - b);
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  return `fork with persistent connections (FORK_PERSISTENT=1) serves ${formatRatio(median(ratios))} the per-request bootstrap's rate (median of ${findings.length} cells, ` +
    `${formatRatio(ratios[0]!)}–${formatRatio(ratios[ratios.length - 1]!)}): opening and closing MySQL and Redis per request is ${pct(median(shares))} of a fork request's cost ` +
    `(${pct(shares[0]!)}–${pct(shares[shares.length - 1]!)}).`;
}

export function stepCauses(step: ReadModeStep, operation: Operation): string[] {
  return step.removes.map((mode) => causeOf(mode, operation).cause);
}

export function stepSentence(step: ReadModeStep, operation: Operation): string {
  const removed = step.removes.map((mode) => `${causeOf(mode, operation).cause} (replaced by ${causeOf(mode, operation).fix})`).join(' and ');
  return `${step.from} → ${step.to}${removed ? ` removes ${removed}` : ''}: ${formatRps(step.fromRps)} → ${formatRps(step.toRps)} req/s, ${
    step.speedup === null ? 'not measured' : speedupWords(step.speedup)}.`;
}

export function readModeSentence(f: ReadModeFinding): string {
  const what = `${f.runtime}, ${f.entity} ${f.operation} from ${f.source}`;
  const { originalRps, defaultRps, speedup } = f.overall;
  const sentences = [speedup === null || originalRps === null || defaultRps === null
    ? `${what}: the original read path vs the default not measured (${originalRps === null ? 'no original cell' : 'no default cell'}).`
    : `${what}: the default read path serves ${formatRps(defaultRps)} req/s where the original served ${formatRps(originalRps)}, ${speedupWords(speedup)}.`];
  const largest = f.steps.filter((s) => s.speedup !== null).reduce<ReadModeStep | null>((a, b) => (a === null || (b.speedup ?? 0) > (a.speedup ?? 0) ? b : a), null);
  if (largest && largest.speedup !== null && f.steps.length > 1) {
    sentences.push(`The largest step is ${largest.from} → ${largest.to} (${formatRatio(largest.speedup)}), which removes ${stepCauses(largest, f.operation).join(' and ')}.`);
  }
  if (f.missing.length > 0) sentences.push(`Stages not measured: ${f.missing.join(', ')}.`);
  return sentences.join(' ');
}

export function depthSentence(f: DepthFinding): string {
  const deepest = f.points[f.points.length - 1]!;
  const first = f.points[0]!;
  const where = `${f.source === 'db' ? 'MySQL' : 'the projection'} ${f.by === 'offset' ? 'by offset' : 'by cursor (after)'} at ${formatNumber(f.rows)} rows`;
  return deepest.cost <= 1.25
    ? `${where}: page depth costs nothing measurable (the last page at ${formatRatio(deepest.cost)} the first page's cost, ${formatRps(deepest.rps)} vs ${formatRps(first.rps)} req/s).`
    : `${where}: cost grows with depth, the last page (${formatNumber(deepest.depth)} rows in) at ${formatRatio(deepest.cost)} the first page's cost (${formatRps(deepest.rps)} vs ${formatRps(first.rps)} req/s)` +
      `${f.points.length > 2 ? `; ${f.points.slice(1, -1).map((p) => `${formatNumber(p.depth)} rows in: ${formatRatio(p.cost)}`).join(', ')}` : ''}.`;
}

export function cursorSentence(f: CursorFinding): string {
  return `${f.source === 'db' ? 'MySQL' : 'The projection'} at ${formatNumber(f.rows)} rows, cursor ÷ offset req/s for the same page: ${f.ratios.map((r) => `${formatRatio(r.ratio)} at ${formatNumber(r.depth)} rows in`).join(', ')}` +
    (f.ratios.every((r) => r.ratio >= 0.8 && r.ratio <= 1.25) ? ' — the same cost within this machine\'s noise.' : '.');
}

export function loadGeneratorSentence(f: LoadGeneratorFinding, results: BenchResults): string {
  const driver = `${results.driver.name} ${results.driver.version}`;
  const cores = `${results.machine.cores} ${plural(results.machine.cores, 'core')}`;
  if (!f.busiest || f.minCpuPct === null || f.maxCpuPct === null) return `The load generator (${driver}) shares the machine's ${cores} with the server; no cell was measured.`;
  return `The load generator (${driver}) shares the machine's ${cores} with the server: it used ${formatNumber(f.minCpuPct)}–${formatNumber(f.maxCpuPct)}% ` +
    `of one core, most on ${f.busiest.id} (${formatRps(f.busiest.summary.rps.median)} req/s), CPU the server could not use.`;
}

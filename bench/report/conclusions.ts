// Findings drawn from a results file: numbers first, then a sentence written from those numbers (never a
// claim decided in advance). A cell the run did not measure gives a finding that says "not measured".
import { ENTITY_NAMES } from '../../core/index.js';
import { RUNTIME_NAMES } from '../../runtimes/launcher.js';
import { BUSY_CATEGORIES, BOOTSTRAP_LABELS, BOOTSTRAP_STAGES, CATEGORY_LABELS, type BootstrapStage, type Category } from '../profile/attribution.js';
import type { BenchResults, Cell, CellProfile, DataPathKnob, EntityName, FloorName, Operation, ReadMode, RuntimeName, Source } from '../results.js';
import { formatNumber } from './svg.js';
import { KNOB_RUNTIMES } from '../plan.js';

export const RUNTIMES: readonly RuntimeName[] = RUNTIME_NAMES;
export const ENTITIES: readonly EntityName[] = ENTITY_NAMES;
export const SOURCES: readonly Source[] = ['db', 'redis'];
export const OPERATIONS: readonly Operation[] = ['get', 'list'];
/** The list the comparisons use: a page of 50. */
export const PAGE_QUERY = 'limit=50';
/** The original's read path taken apart one cause at a time, ending at this project's default. */
export const READ_MODE_ORDER: readonly ReadMode[] = ['original', 'original-mget', 'original-pooled', 'original-paged', 'default'];
export const RUNTIME_PAIRS: readonly (readonly [RuntimeName, RuntimeName])[] = [['uws', 'express'], ['express', 'fork'], ['uws', 'fork']];

export const PROJECTION_TARGET = { text: 'projection reads ≥ 2× MySQL reads (get by id and page of 50)', threshold: 2 } as const;
export const ORIGINAL_TARGET = { text: "the default read path ≥ 10× the original's on lists", threshold: 10 } as const;
export const BARE_UWS_TARGET = { text: 'uws serving a projection by id ≥ 60% of a bare uWS server answering a constant of the same size', threshold: 0.6 } as const;
export const DEEP_PAGE_TARGET = { text: 'the deepest MySQL page allowed by default (DB_MAX_OFFSET) within 20× the cost of the first page (first ÷ deepest req/s)', threshold: 0.05 } as const;
export const KNOB_TARGET = { text: 'uws products get from redis ≥ 1.2× the baseline data path (no auto-pipelining, msgpack) with the best data-path setting (either knob, or both together), in the same run', threshold: 1.2 } as const;
/** p50 ÷ p99 ≥ 1/3, i.e. p99 ≤ 3× p50, on every uws and express cell of the matrix. */
export const TAIL_TARGET = { text: 'p99 ≤ 3× p50 on every uws and express matrix cell (p50 ÷ p99 ≥ 0.33)', threshold: 1 / 3 } as const;
/** Below this share of a runtime's CPU, garbage collection is not what makes a tail (a pause per scavenge is sub-ms). */
export const GC_TAIL_SHARE = 0.1;
/**
 * A data-path knob that serves more wins only if its p99 stays within this factor of the baseline's on every cell: a
 * default applies to every request, so a tail doubled on one cell is not averaged away by flat tails elsewhere.
 */
export const KNOB_TAIL_TOLERANCE = 1.2;
/** Both knobs together add up when they serve more than this times the better of the two alone (below: within this machine's noise). */
export const KNOBS_ADD_UP = 1.05;
/** JSON encoding replaces msgpack as the default only when it wins by more than this (the stored format is the project's). */
export const ENCODING_SWITCH_RATIO = 1.3;
export const FLAT_COST_TARGET = { text: 'cost per request flat (±20%) from the smallest to the largest data set (slower ÷ faster req/s)', threshold: 0.8 } as const;

/** The issue's targets against the floors (bench/floors/): what each runtime reaches of a server doing only the cell's work. */
export const FLOOR_TARGETS = [
  { text: 'uws ≥ 0.95 of its floor (raw uWS, the same read) for products get from redis', threshold: 0.95, runtime: 'uws', persistent: false, operations: ['get'] },
  { text: 'uws ≥ 0.90 of its floor (raw uWS, the same read) for a page of 50 products from redis', threshold: 0.9, runtime: 'uws', persistent: false, operations: ['list'] },
  { text: 'express ≥ 0.95 of its floor (raw Express, the same read) for products get and a page of 50 from redis', threshold: 0.95, runtime: 'express', persistent: false, operations: ['get', 'list'] },
  { text: 'fork with FORK_PERSISTENT=1 ≥ 0.80 of the minimal FPM-like pool floor', threshold: 0.8, runtime: 'fork', persistent: true, operations: ['get', 'list'] },
] as const satisfies readonly { text: string; threshold: number; runtime: RuntimeName; persistent: boolean; operations: readonly Operation[] }[];

/** What moving to a read mode removes, and which operations it touches (a get reads one id anyway). */
export const READ_MODE_CAUSES: Readonly<Record<Exclude<ReadMode, 'original'>, { readonly cause: string; readonly fix: string; readonly appliesTo: readonly Operation[] }>> = {
  'original-mget': { cause: 'one Redis round trip per id', fix: 'one MGET for all ids', appliesTo: ['list'] },
  'original-pooled': { cause: 'a new Redis connection per request', fix: 'a pooled connection', appliesTo: ['list', 'get'] },
  'original-paged': { cause: 'reading the whole list', fix: 'reading a page', appliesTo: ['list'] },
  default: { cause: 'JSON decoding into objects with Date objects', fix: 'compact msgpack decoded into plain objects (no Date objects)', appliesTo: ['list', 'get'] },
};

/** The cause a read mode removes for an operation: for a list, the default also reads its page in one script. */
export function causeOf(mode: Exclude<ReadMode, 'original'>, operation: Operation): { readonly cause: string; readonly fix: string } {
  const { cause, fix } = READ_MODE_CAUSES[mode];
  if (mode === 'default' && operation === 'list') return { cause: `${cause}, over several round trips`, fix: `${fix}, in one round-trip script` };
  return { cause, fix };
}

export function formatRps(rps: number): string {
  // Below 10 req/s an integer would hide the difference between the original's slowest stages.
  return rps < 10 && !Number.isInteger(rps) ? formatNumber(rps, 1) : formatNumber(rps);
}

export function formatMs(ms: number): string {
  return formatNumber(ms, 2);
}

export function formatRatio(ratio: number): string {
  return `${formatNumber(ratio, 2)}×`;
}

export function scenarioName(cell: Pick<Cell, 'entity' | 'source' | 'operation'>): string {
  return `${cell.entity}/${cell.source}/${cell.operation}`;
}

/** The matrix cell of a scenario, in the default read mode; a list is the page of 50. */
export function matrixCell(results: BenchResults, runtime: RuntimeName, entity: EntityName, source: Source, operation: Operation): Cell | undefined {
  return results.cells.find(
    (c) =>
      c.group === 'matrix' &&
      c.runtime === runtime &&
      c.entity === entity &&
      c.source === source &&
      c.operation === operation &&
      c.readMode === 'default' &&
      (operation === 'get' || c.listQuery === PAGE_QUERY),
  );
}

function ratioOf(numerator: number | null, denominator: number | null): number | null {
  return numerator !== null && denominator !== null && denominator > 0 ? numerator / denominator : null;
}

function speedupWords(ratio: number): string {
  if (ratio >= 1.05) return `${formatRatio(ratio)} faster`;
  if (ratio <= 0.95) return `${formatRatio(ratio)}, i.e. slower`;
  return `${formatRatio(ratio)}, no measurable change`;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

// ---- failed requests -------------------------------------------------------------------------------

export interface CellFailures {
  readonly cell: Cell;
  readonly errors: number;
  readonly non2xx: number;
  readonly timeouts: number;
}

/** Cells with any error, non-2xx answer or timeout, in any repeat. */
export function failedCells(results: BenchResults): CellFailures[] {
  const sum = (cell: Cell, field: 'errors' | 'non2xx' | 'timeouts'): number => cell.runs.reduce((total, run) => total + run[field], 0);
  return results.cells
    .map((cell) => ({
      cell,
      errors: Math.max(cell.summary.errors, sum(cell, 'errors')),
      non2xx: Math.max(cell.summary.non2xx, sum(cell, 'non2xx')),
      timeouts: sum(cell, 'timeouts'),
    }))
    .filter((f) => f.errors > 0 || f.non2xx > 0 || f.timeouts > 0);
}

// ---- projection (redis) vs MySQL (db) ------------------------------------------------------------------

export interface SourceRatioFinding {
  readonly runtime: RuntimeName;
  readonly entity: EntityName;
  readonly operation: Operation;
  readonly redisRps: number | null;
  readonly dbRps: number | null;
  /** redis req/s ÷ db req/s. */
  readonly ratio: number | null;
  readonly sentence: string;
}

export function sourceRatios(results: BenchResults): SourceRatioFinding[] {
  const findings: SourceRatioFinding[] = [];
  for (const runtime of RUNTIMES) {
    for (const entity of ENTITIES) {
      for (const operation of OPERATIONS) {
        const redisRps = matrixCell(results, runtime, entity, 'redis', operation)?.summary.rps.median ?? null;
        const dbRps = matrixCell(results, runtime, entity, 'db', operation)?.summary.rps.median ?? null;
        const ratio = ratioOf(redisRps, dbRps);
        const what = `${runtime}, ${entity} ${operationName(operation)}`;
        const sentence =
          ratio === null || redisRps === null || dbRps === null
            ? `${what}: projection vs MySQL not measured (${redisRps === null ? 'no redis cell' : 'no db cell'}).`
            : `${what}: projection reads ${formatRps(redisRps)} req/s vs MySQL ${formatRps(dbRps)} req/s, ${formatRatio(ratio)}.`;
        findings.push({ runtime, entity, operation, redisRps, dbRps, ratio, sentence });
      }
    }
  }
  return findings;
}

export function operationName(operation: Operation): string {
  return operation === 'get' ? 'get by id' : 'page of 50';
}

// ---- runtime vs runtime ---------------------------------------------------------------------------

export interface RuntimeRatioFinding {
  readonly numerator: RuntimeName;
  readonly denominator: RuntimeName;
  readonly entity: EntityName;
  readonly source: Source;
  readonly operation: Operation;
  readonly numeratorRps: number | null;
  readonly denominatorRps: number | null;
  readonly ratio: number | null;
  readonly sentence: string;
}

export function runtimeRatios(results: BenchResults): RuntimeRatioFinding[] {
  const findings: RuntimeRatioFinding[] = [];
  for (const [numerator, denominator] of RUNTIME_PAIRS) {
    for (const entity of ENTITIES) {
      for (const source of SOURCES) {
        for (const operation of OPERATIONS) {
          const numeratorRps = matrixCell(results, numerator, entity, source, operation)?.summary.rps.median ?? null;
          const denominatorRps = matrixCell(results, denominator, entity, source, operation)?.summary.rps.median ?? null;
          const ratio = ratioOf(numeratorRps, denominatorRps);
          const scenario = scenarioName({ entity, source, operation });
          const sentence =
            ratio === null || numeratorRps === null || denominatorRps === null
              ? `${numerator} ÷ ${denominator} on ${scenario}: not measured.`
              : `${numerator} ÷ ${denominator} on ${scenario}: ${formatRps(numeratorRps)} ÷ ${formatRps(denominatorRps)} req/s = ${formatRatio(ratio)}.`;
          findings.push({ numerator, denominator, entity, source, operation, numeratorRps, denominatorRps, ratio, sentence });
        }
      }
    }
  }
  return findings;
}

// ---- worker sweep ---------------------------------------------------------------------------------

export interface SweepFinding {
  readonly runtime: RuntimeName;
  readonly entity: EntityName;
  readonly source: Source;
  readonly operation: Operation;
  /** Sorted by worker count. */
  readonly points: readonly { readonly workers: number; readonly rps: number }[];
  readonly best: { readonly workers: number; readonly rps: number };
  readonly sentence: string;
}

export function sweepFindings(results: BenchResults): SweepFinding[] {
  const sweep = results.cells.filter((c) => c.group === 'sweep');
  const findings: SweepFinding[] = [];
  for (const runtime of RUNTIMES) {
    for (const entity of ENTITIES) {
      for (const source of SOURCES) {
        for (const operation of OPERATIONS) {
          const cells = sweep.filter((c) => c.runtime === runtime && c.entity === entity && c.source === source && c.operation === operation);
          if (cells.length === 0) continue;
          const points = cells.map((c) => ({ workers: c.workers, rps: c.summary.rps.median })).sort((a, b) => a.workers - b.workers);
          const best = points.reduce((a, b) => (b.rps > a.rps ? b : a));
          const first = points[0] ?? best;
          const last = points[points.length - 1] ?? best;
          const parts = [`${runtime}, ${scenarioName({ entity, source, operation })}: most req/s with ${best.workers} worker${best.workers === 1 ? '' : 's'} (${formatRps(best.rps)} req/s)`];
          if (first !== best && first.rps > 0) parts.push(`${formatRatio(best.rps / first.rps)} the rate with ${first.workers} worker${first.workers === 1 ? '' : 's'}`);
          if (last !== best) parts.push(`${last.workers} workers give ${formatRps(last.rps)} req/s, ${formatNumber(((best.rps - last.rps) / best.rps) * 100)}% below the best`);
          findings.push({ runtime, entity, source, operation, points, best, sentence: `${parts.join('; ')}.` });
        }
      }
    }
  }
  return findings;
}

// ---- the original's read path, cause by cause ----------------------------------------------------------

export interface ReadModeStep {
  readonly from: ReadMode;
  readonly to: ReadMode;
  /** The causes this step removes (more than one when a stage between them was not measured). */
  readonly causes: readonly string[];
  readonly fromRps: number;
  readonly toRps: number;
  readonly speedup: number | null;
  readonly sentence: string;
}

export interface ReadModeFinding {
  readonly runtime: RuntimeName;
  readonly entity: EntityName;
  readonly source: Source;
  readonly operation: Operation;
  /** The measured modes, in READ_MODE_ORDER. */
  readonly modes: readonly { readonly mode: ReadMode; readonly listQuery: string; readonly rps: number; readonly cell: Cell }[];
  /** Stages of READ_MODE_ORDER that apply to the operation but were not measured. */
  readonly missing: readonly ReadMode[];
  readonly steps: readonly ReadModeStep[];
  readonly overall: { readonly originalRps: number | null; readonly defaultRps: number | null; readonly speedup: number | null };
  readonly sentence: string;
}

/** The stages that change something for an operation: a get has no per-id loop and no whole list. */
function stagesFor(operation: Operation): ReadMode[] {
  return READ_MODE_ORDER.filter((mode) => mode === 'original' || READ_MODE_CAUSES[mode].appliesTo.includes(operation));
}

export function readModeFindings(results: BenchResults): ReadModeFinding[] {
  const reads = results.cells.filter((c) => c.group === 'reads');
  const findings: ReadModeFinding[] = [];
  for (const runtime of RUNTIMES) {
    for (const entity of ENTITIES) {
      for (const source of SOURCES) {
        for (const operation of OPERATIONS) {
          const cells = reads.filter((c) => c.runtime === runtime && c.entity === entity && c.source === source && c.operation === operation);
          if (cells.length === 0) continue;
          const modes = READ_MODE_ORDER.flatMap((mode) => {
            const cell = cells.find((c) => c.readMode === mode);
            return cell ? [{ mode, listQuery: cell.listQuery, rps: cell.summary.rps.median, cell }] : [];
          });
          const missing = stagesFor(operation).filter((mode) => !modes.some((m) => m.mode === mode));
          const steps: ReadModeStep[] = [];
          for (let i = 1; i < modes.length; i++) {
            const from = modes[i - 1];
            const to = modes[i];
            if (!from || !to) continue;
            const spanned = READ_MODE_ORDER.slice(READ_MODE_ORDER.indexOf(from.mode) + 1, READ_MODE_ORDER.indexOf(to.mode) + 1);
            const causes = spanned.flatMap((mode) => (mode !== 'original' && READ_MODE_CAUSES[mode].appliesTo.includes(operation) ? [mode] : []));
            const speedup = ratioOf(to.rps, from.rps);
            const removed = causes.map((mode) => `${causeOf(mode, operation).cause} (replaced by ${causeOf(mode, operation).fix})`).join(' and ');
            const sentence = `${from.mode} → ${to.mode}${removed ? ` removes ${removed}` : ''}: ${formatRps(from.rps)} → ${formatRps(to.rps)} req/s, ${
              speedup === null ? 'not measured' : speedupWords(speedup)
            }.`;
            steps.push({ from: from.mode, to: to.mode, causes: causes.map((mode) => causeOf(mode, operation).cause), fromRps: from.rps, toRps: to.rps, speedup, sentence });
          }
          const originalRps = modes.find((m) => m.mode === 'original')?.rps ?? null;
          const defaultRps = modes.find((m) => m.mode === 'default')?.rps ?? null;
          const speedup = ratioOf(defaultRps, originalRps);
          const what = `${runtime}, ${entity} ${operation} from ${source}`;
          const sentences: string[] = [];
          if (speedup === null || originalRps === null || defaultRps === null) {
            sentences.push(`${what}: the original read path vs the default not measured (${originalRps === null ? 'no original cell' : 'no default cell'}).`);
          } else {
            sentences.push(`${what}: the default read path serves ${formatRps(defaultRps)} req/s where the original served ${formatRps(originalRps)}, ${speedupWords(speedup)}.`);
          }
          const largest = steps.filter((s) => s.speedup !== null).reduce<ReadModeStep | null>((a, b) => (a === null || (b.speedup ?? 0) > (a.speedup ?? 0) ? b : a), null);
          if (largest && largest.speedup !== null && steps.length > 1) {
            sentences.push(`The largest step is ${largest.from} → ${largest.to} (${formatRatio(largest.speedup)}), which removes ${largest.causes.join(' and ')}.`);
          }
          if (missing.length > 0) sentences.push(`Stages not measured: ${missing.join(', ')}.`);
          findings.push({ runtime, entity, source, operation, modes, missing, steps, overall: { originalRps, defaultRps, speedup }, sentence: sentences.join(' ') });
        }
      }
    }
  }
  return findings;
}

// ---- targets (README, "Performance targets") ------------------------------------------------------

export interface TargetCheck {
  readonly target: string;
  readonly scope: string;
  readonly ratio: number | null;
  readonly threshold: number;
  readonly status: 'pass' | 'fail' | 'inconclusive' | 'not measured';
  readonly sentence: string;
}

// ---- the load generator's own limit ---------------------------------------------------------------

/** A cell is driver-bound when its rate is this close to the driver's ceiling, or the driver used this much of a core. */
export const DRIVER_BOUND = { ceilingShare: 0.85, driverCpuPct: 90 } as const;

/** The most this run's load generator measured on this machine: the bare uWS constant server, which does no work. */
export interface DriverCeiling {
  readonly rps: number;
  readonly driverCpuPct: number;
}

export function driverCeiling(results: Pick<BenchResults, 'baselines'>): DriverCeiling | null {
  const constant = results.baselines?.uwsConstant;
  return constant && constant.summary.rps.median > 0 ? { rps: constant.summary.rps.median, driverCpuPct: constant.summary.driverCpuPct } : null;
}

/** Why a cell measured its load generator rather than its server, or null when it did not. */
export function driverBoundReason(cell: Pick<Cell, 'summary'>, ceiling: DriverCeiling | null): string | null {
  const { rps, driverCpuPct } = { rps: cell.summary.rps.median, driverCpuPct: cell.summary.driverCpuPct };
  if (driverCpuPct >= DRIVER_BOUND.driverCpuPct) return `the load generator used ${formatNumber(driverCpuPct)}% of a core`;
  if (ceiling && rps >= DRIVER_BOUND.ceilingShare * ceiling.rps) {
    return `${formatRps(rps)} req/s is within ${Math.round((1 - DRIVER_BOUND.ceilingShare) * 100)}% of the load generator's ceiling (${formatRps(ceiling.rps)} req/s)`;
  }
  return null;
}

/** A target check; one whose cells include a driver-bound cell is inconclusive, never a pass or a fail. */
export function check(target: string, threshold: number, scope: string, ratio: number | null,
  judged?: { readonly results: BenchResults; readonly cells: readonly (Cell | undefined)[] }): TargetCheck {
  const bound = ratio === null || !judged ? undefined : judged.cells
    .filter((c): c is Cell => c !== undefined)
    .map((cell) => ({ cell, reason: driverBoundReason(cell, driverCeiling(judged.results)) }))
    .find((b) => b.reason !== null);
  const status = ratio === null ? 'not measured' : bound ? 'inconclusive' : ratio >= threshold ? 'pass' : 'fail';
  const sentence =
    ratio === null
      ? `${scope}: ${target} — not measured.`
      : bound
        ? `${scope}: ${formatRatio(ratio)} against ≥ ${formatRatio(threshold)}, inconclusive: ${bound.cell.id} is driver-bound (${bound.reason}).`
        : `${scope}: ${formatRatio(ratio)} against ≥ ${formatRatio(threshold)}, ${status}.`;
  return { target, scope, ratio, threshold, status, sentence };
}

/** A failing check with the reason the profiles give for it, in its scope and after its verdict. */
function explainFailure(checked: TargetCheck, why: string): TargetCheck {
  return { ...checked, scope: checked.scope + why, sentence: checked.sentence.replace(/, fail\.$/, `, fail${why}.`) };
}

/** uws products get from Redis against the bare uWS constant of the same run. */
export function bareUwsCheck(results: BenchResults): TargetCheck {
  const baseline = results.baselines?.uwsConstant;
  const cell = matrixCell(results, 'uws', 'products', 'redis', 'get');
  const ratio = baseline && cell && baseline.summary.rps.median > 0 ? cell.summary.rps.median / baseline.summary.rps.median : null;
  const scope = baseline && cell
    ? `uws products get from redis ${formatRps(cell.summary.rps.median)} req/s vs bare uWS ${formatRps(baseline.summary.rps.median)} req/s (${baseline.bodyBytes} bytes, ${baseline.workers} workers)`
    : 'uws products get from redis vs bare uWS';
  return check(BARE_UWS_TARGET.text, BARE_UWS_TARGET.threshold, scope, ratio, { results, cells: [cell] });
}

/** Each scenario of the `scale` cells: req/s at the smallest and at the largest data set. */
export function flatCostChecks(results: BenchResults): TargetCheck[] {
  const scale = results.cells.filter((c) => c.group === 'scale' && c.rows !== undefined && !c.page);
  const scenarios = [...new Set(scale.map((c) => `${c.runtime}/${c.entity}/${c.source}/${c.operation}`))];
  if (scenarios.length === 0) return [check(FLAT_COST_TARGET.text, FLAT_COST_TARGET.threshold, 'pages and gets at several data sizes', null)];
  return scenarios.map((scenario) => {
    const points = scale.filter((c) => `${c.runtime}/${c.entity}/${c.source}/${c.operation}` === scenario).sort((a, b) => a.rows! - b.rows!);
    const small = points[0]!;
    const large = points[points.length - 1]!;
    const [a, b] = [small.summary.rps.median, large.summary.rps.median];
    const ratio = points.length < 2 || Math.max(a, b) === 0 ? null : Math.min(a, b) / Math.max(a, b);
    return check(FLAT_COST_TARGET.text, FLAT_COST_TARGET.threshold,
      `${scenario}: ${formatNumber(small.rows!)} rows ${formatRps(a)} req/s → ${formatNumber(large.rows!)} rows ${formatRps(b)} req/s`, ratio, { results, cells: [small, large] });
  });
}

// ---- fork's persistent connections -----------------------------------------------------------------

export interface PersistentFinding {
  readonly entity: EntityName;
  readonly source: Source;
  readonly operation: Operation;
  readonly perRequestRps: number;
  readonly persistentRps: number;
  /** persistent req/s ÷ per-request-bootstrap req/s. */
  readonly ratio: number;
  /** The per-request bootstrap's share of a request's cost: 1 − per-request req/s ÷ persistent req/s. */
  readonly bootstrapShare: number;
}

/** fork's matrix cells against the same cells with FORK_PERSISTENT=1, measured in the same run. */
export function persistentFindings(results: BenchResults): PersistentFinding[] {
  return results.cells.filter((c) => c.group === 'persistent').flatMap((p) => {
    const base = matrixCell(results, 'fork', p.entity, p.source, p.operation);
    if (!base || base.summary.rps.median <= 0 || p.summary.rps.median <= 0) return [];
    const [perRequestRps, persistentRps] = [base.summary.rps.median, p.summary.rps.median];
    return [{ entity: p.entity, source: p.source, operation: p.operation, perRequestRps, persistentRps, ratio: persistentRps / perRequestRps, bootstrapShare: 1 - perRequestRps / persistentRps }];
  });
}

export function persistentSentence(findings: readonly PersistentFinding[]): string {
  if (findings.length === 0) return "fork with persistent connections (FORK_PERSISTENT=1): not measured.";
  const ratios = findings.map((f) => f.ratio).sort((a, b) => a - b);
  const shares = findings.map((f) => f.bootstrapShare).sort((a, b) => a - b);
  const mid = (values: number[]) => (values.length % 2 ? values[values.length >> 1]! : (values[values.length / 2 - 1]! + values[values.length / 2]!) / 2);
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  return `fork with persistent connections (FORK_PERSISTENT=1) serves ${formatRatio(mid(ratios))} the per-request bootstrap's rate (median of ${findings.length} cells, ` +
    `${formatRatio(ratios[0]!)}–${formatRatio(ratios[ratios.length - 1]!)}): opening and closing MySQL and Redis per request is ${pct(mid(shares))} of a fork request's cost ` +
    `(${pct(shares[0]!)}–${pct(shares[shares.length - 1]!)}).`;
}

// ---- floors: each runtime against a minimal server doing the same work ---------------------------------

/** How the report names a floor. */
export const FLOOR_LABELS: Readonly<Record<FloorName, string>> = { uws: 'raw uWS', 'node-http': 'raw node:http', express: 'raw Express', fpm: 'FPM-like pool' };

export interface FloorFinding {
  readonly floor: FloorName;
  readonly entity: EntityName;
  readonly source: Source;
  readonly operation: Operation;
  readonly floorCell: Cell;
  /** The runtime compared with the floor (fork twice: per-request bootstrap, and FORK_PERSISTENT=1). */
  readonly runtime: RuntimeName;
  readonly persistent: boolean;
  readonly runtimeCell: Cell | undefined;
  /** runtime req/s ÷ floor req/s: what the framework and the application leave of the achievable rate. */
  readonly overhead: number | null;
  /** floor req/s ÷ bare uWS constant req/s: what the data source (and the floor's server model) costs. */
  readonly dataCost: number | null;
  /** runtime ÷ floor round by round, when the two were measured in turns (bench/turns.ts); null otherwise. */
  readonly roundRatios: readonly number[] | null;
}

/**
 * `a` ÷ `b` repeat by repeat, when the two cells were measured in turns: as many repeats each, every repeat's
 * start recorded, and each of `a`'s repeats started before the next of `b`'s (older files and cells measured
 * one after the other give null: their repeats are not paired).
 */
export function roundRatios(a: Cell | undefined, b: Cell): number[] | null {
  if (!a || a.runs.length === 0 || a.runs.length !== b.runs.length) return null;
  const at = (cell: Cell, i: number) => Date.parse(cell.runs[i]?.startedAt ?? '');
  for (let i = 0; i < a.runs.length; i++) {
    if (Number.isNaN(at(a, i)) || Number.isNaN(at(b, i))) return null;
    if (i + 1 < a.runs.length && (at(a, i + 1) < at(b, i) || at(b, i + 1) < at(a, i))) return null;
  }
  return a.runs.map((run, i) => run.rps / b.runs[i]!.rps);
}

/** Every floor cell with the runtime cells it is the floor of, measured in the same run. */
export function floorFindings(results: BenchResults): FloorFinding[] {
  const constant = results.baselines?.uwsConstant?.summary.rps.median ?? null;
  return results.cells.filter((c) => c.group === 'floor' && c.floor).flatMap((floorCell) => {
    const floorRps = floorCell.summary.rps.median;
    const compared: { runtime: RuntimeName; persistent: boolean; cell: Cell | undefined }[] = [
      { runtime: floorCell.runtime, persistent: false, cell: matrixCell(results, floorCell.runtime, floorCell.entity, floorCell.source, floorCell.operation) },
    ];
    if (floorCell.floor === 'fpm') {
      compared.push({ runtime: 'fork', persistent: true, cell: results.cells.find((c) => c.group === 'persistent' && c.entity === floorCell.entity && c.source === floorCell.source && c.operation === floorCell.operation) });
    }
    return compared.map(({ runtime, persistent, cell }) => ({
      floor: floorCell.floor!, entity: floorCell.entity, source: floorCell.source, operation: floorCell.operation, floorCell, runtime, persistent, runtimeCell: cell,
      overhead: ratioOf(cell?.summary.rps.median ?? null, floorRps),
      dataCost: ratioOf(floorRps, constant),
      roundRatios: roundRatios(cell, floorCell),
    }));
  });
}

export function runtimeLabel(f: Pick<FloorFinding, 'runtime' | 'persistent'>): string {
  return f.persistent ? `${f.runtime} (FORK_PERSISTENT=1)` : f.runtime;
}

export function floorSentences(findings: readonly FloorFinding[]): string[] {
  if (findings.length === 0) return ['Floors (a minimal server doing only the cell\'s work, per server model): not measured.'];
  const own = findings.filter((f) => f.floor !== 'node-http');
  const sentences = [...new Set(own.map((f) => runtimeLabel(f)))].map((label) => {
    const mine = own.filter((f) => runtimeLabel(f) === label && f.overhead !== null);
    if (mine.length === 0) return `${label}: no cell to compare with its floor.`;
    const floor = FLOOR_LABELS[mine[0]!.floor];
    return `${label} reaches ${mine.map((f) => `${formatRatio(f.overhead!)} (${scenarioName(f)})`).join(', ')} of its floor (${floor} doing the same read): ` +
      `the framework and the application cost ${formatNumber(Math.max(0, (1 - median(mine.map((f) => f.overhead!))) * 100))}% of the achievable rate (median).`;
  });
  const byFloor = FLOOR_NAMES_ORDER.flatMap((floor) => {
    const cells = [...new Map(findings.filter((f) => f.floor === floor && f.dataCost !== null).map((f) => [f.floorCell.id, f])).values()];
    if (cells.length === 0) return [];
    return [`${FLOOR_LABELS[floor]} floor ÷ bare uWS constant: ${cells.map((f) => `${formatRatio(f.dataCost!)} (${scenarioName(f)})`).join(', ')} — what the read itself costs on that server model.`];
  });
  return [...sentences, ...byFloor];
}

const FLOOR_NAMES_ORDER: readonly FloorName[] = ['uws', 'node-http', 'express', 'fpm'];

/** The issue's floor targets, on the cells of this run (a driver-bound cell makes a check inconclusive). */
export function floorChecks(results: BenchResults, findings: readonly FloorFinding[], gaps: readonly FloorGapFinding[] = []): TargetCheck[] {
  return FLOOR_TARGETS.flatMap((target) => {
    const floor = target.runtime === 'uws' ? 'uws' : target.runtime === 'express' ? 'express' : 'fpm';
    const scoped = findings.filter((f) => f.floor === floor && f.runtime === target.runtime && f.persistent === target.persistent &&
      f.entity === 'products' && (target.persistent || f.source === 'redis') && (target.operations as readonly Operation[]).includes(f.operation));
    if (scoped.length === 0) return [check(target.text, target.threshold, `${runtimeLabel({ runtime: target.runtime, persistent: target.persistent })} vs its floor`, null)];
    return scoped.map((f) => {
      const checked = check(target.text, target.threshold,
        `${runtimeLabel(f)} ${scenarioName(f)}: ${f.runtimeCell ? formatRps(f.runtimeCell.summary.rps.median) : '–'} vs ${FLOOR_LABELS[f.floor]} ${formatRps(f.floorCell.summary.rps.median)} req/s`,
        f.overhead, { results, cells: [f.runtimeCell, f.floorCell] });
      // Below the target: the profiles say what the runtime spends beyond its floor.
      const gap = gaps.find((g) => g.floor.profile.floor === f.floor && (g.runtime.profile.persistent ?? false) === f.persistent && g.runtime.profile.runtime === f.runtime &&
        g.runtime.profile.entity === f.entity && g.runtime.profile.source === f.source && g.runtime.profile.operation === f.operation);
      if (checked.status !== 'fail' || !gap || gap.grown.length === 0) return checked;
      return explainFailure(checked, `; profiled, it spends ${formatNumber(gap.extraPerRequest)} µs more per request than its floor, most in ` +
        `${gap.grown.slice(0, 2).map((g) => `${CATEGORY_LABELS[g.category]} (+${formatNumber(g.extra, 1)})`).join(' and ')}`);
    });
  });
}

// ---- the data path's own knobs --------------------------------------------------------------------------

export interface KnobFinding {
  readonly runtime: RuntimeName;
  readonly entity: EntityName;
  readonly operation: Operation;
  readonly baseline: Cell;
  /** Each other setting against the baseline: req/s ÷ baseline req/s, and p99 ÷ baseline p99. */
  readonly knobs: readonly {
    readonly knob: Exclude<DataPathKnob, 'baseline'>; readonly cell: Cell; readonly ratio: number | null; readonly p99Ratio: number | null;
    /** req/s ÷ baseline req/s repeat by repeat, when the settings took turns (bench/turns.ts); null otherwise. */
    readonly roundRatios: readonly number[] | null;
  }[];
}

export const KNOB_LABELS: Readonly<Record<DataPathKnob, string>> = {
  baseline: 'baseline (no auto-pipelining, msgpack)',
  'auto-pipelining': 'REDIS_AUTO_PIPELINING=1',
  'json-encoding': 'PROJECTION_ENCODING=json',
  both: 'both together',
};

/** The `knobs` cells, each setting against the baseline of the same runtime and operation. */
export function knobFindings(results: BenchResults): KnobFinding[] {
  const knobCells = results.cells.filter((c) => c.group === 'knobs' && c.knob);
  const order = (c: Cell) => KNOB_RUNTIMES.indexOf(c.runtime) * 10 + OPERATIONS.indexOf(c.operation);
  return knobCells.filter((c) => c.knob === 'baseline').sort((a, b) => order(a) - order(b)).map((baseline) => {
    const same = knobCells.filter((c) => c.knob !== 'baseline' && c.runtime === baseline.runtime && c.entity === baseline.entity && c.operation === baseline.operation);
    return {
      runtime: baseline.runtime, entity: baseline.entity, operation: baseline.operation, baseline,
      knobs: same.map((cell) => ({
        knob: cell.knob as Exclude<DataPathKnob, 'baseline'>, cell,
        ratio: ratioOf(cell.summary.rps.median, baseline.summary.rps.median),
        p99Ratio: ratioOf(cell.summary.p99, baseline.summary.p99),
        roundRatios: roundRatios(cell, baseline),
      })),
    };
  });
}

/** e.g. `uws products page of 50`. */
export function knobCellName(f: Pick<KnobFinding, 'runtime' | 'entity' | 'operation'>): string {
  return `${f.runtime} ${f.entity} ${operationName(f.operation)}`;
}

function ratiosOf(findings: readonly KnobFinding[], knob: Exclude<DataPathKnob, 'baseline'>): { finding: KnobFinding; ratio: number }[] {
  return findings.flatMap((f) => f.knobs.filter((k) => k.knob === knob && k.ratio !== null).map((k) => ({ finding: f, ratio: k.ratio! })));
}

/**
 * What the knobs did, and the defaults that follow: auto-pipelining is on by default when it wins (median ratio
 * above 1); JSON encoding replaces msgpack only beyond ENCODING_SWITCH_RATIO. `defaults`: the run's own settings.
 */
export function knobSentences(findings: readonly KnobFinding[], defaults: BenchResults['settings']): string[] {
  if (findings.length === 0) return ["The data path's knobs (auto-pipelining, JSON encoding): not measured."];
  const each = findings.map((f) => `${knobCellName(f)}: ` +
    `${f.knobs.map((k) => `${KNOB_LABELS[k.knob]} ${k.ratio === null ? '–' : formatRatio(k.ratio)}`).join(', ')} the baseline's rate ` +
    `(baseline ${formatRps(f.baseline.summary.rps.median)} req/s).`);
  const sentences = [...each];
  const pipelining = ratiosOf(findings, 'auto-pipelining');
  if (pipelining.length > 0) {
    const m = median(pipelining.map((r) => r.ratio));
    const tails = findings.flatMap((f) => f.knobs.filter((k) => k.knob === 'auto-pipelining' && k.p99Ratio !== null).map((k) => ({ finding: f, ratio: k.p99Ratio! })));
    const worst = tails.reduce<{ finding: KnobFinding; ratio: number } | undefined>((a, b) => (!a || b.ratio > a.ratio ? b : a), undefined);
    const tail = worst?.ratio ?? 1;
    // A default must not buy throughput with the tail: it wins when it serves more without a p99 much worse on any cell.
    const wins = m > 1 && tail <= KNOB_TAIL_TOLERANCE;
    const on = defaults.redisAutoPipelining;
    sentences.push(`Auto-pipelining: median ${formatRatio(m)} the baseline's rate over ${pipelining.length} cells (${pipelining.filter((r) => r.ratio > 1).length} faster), ` +
      `p99 at worst ${formatRatio(tail)} the baseline's${worst ? ` (${knobCellName(worst.finding)})` : ''}, so it ${wins ? 'wins' : m > 1 ? `does not win (its p99 is above ${formatRatio(KNOB_TAIL_TOLERANCE)} the baseline's there)` : 'does not win'}; ` +
      `REDIS_AUTO_PIPELINING is ${on === undefined ? 'not recorded' : on ? 'on' : 'off'} by default in this run` +
      `${on === undefined || on === wins ? '.' : ` — ${wins ? 'off although it wins' : 'on although it loses'}: the default no longer matches the numbers.`}`);
  }
  const encoding = ratiosOf(findings, 'json-encoding');
  if (encoding.length > 0) {
    const best = encoding.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const beyond = encoding.filter((r) => r.ratio > ENCODING_SWITCH_RATIO);
    sentences.push(`JSON encoding: ${formatRatio(median(encoding.map((r) => r.ratio)))} the baseline (median of ${encoding.length} cells), best ${formatRatio(best.ratio)} on ` +
      `${knobCellName(best.finding)}; ` +
      (beyond.length === 0
        ? `nowhere above ${formatRatio(ENCODING_SWITCH_RATIO)}, so msgpack stays the default stored format.`
        : `above ${formatRatio(ENCODING_SWITCH_RATIO)} on ${beyond.map((r) => knobCellName(r.finding)).join(', ')}: ${ENCODING_DECISION}`));
  }
  const both = ratiosOf(findings, 'both');
  if (both.length > 0) {
    // Do the two add up? Compared with the better of the two alone on the same cell.
    const gains = both.flatMap(({ finding, ratio }) => {
      const alone = finding.knobs.filter((k) => k.knob !== 'both' && k.ratio !== null).map((k) => k.ratio!);
      return alone.length > 0 ? [ratio / Math.max(...alone)] : [];
    });
    const gain = gains.length > 0 ? median(gains) : null;
    const best = both.reduce((a, b) => (b.ratio > a.ratio ? b : a));
    const tails = findings.flatMap((f) => f.knobs.filter((k) => k.knob === 'both' && k.p99Ratio !== null).map((k) => k.p99Ratio!));
    sentences.push(`Both together: ${formatRatio(median(both.map((r) => r.ratio)))} the baseline (median of ${both.length} cell${both.length === 1 ? '' : 's'}), best ${formatRatio(best.ratio)} on ${knobCellName(best.finding)}` +
      (gain !== null ? `; ${formatRatio(gain)} the better of the two alone (median): ${gain > KNOBS_ADD_UP ? 'they add up' : 'they do not add up'}` : '') +
      (tails.length > 0 ? `; p99 ${formatRatio(median(tails))} the baseline's (median).` : '.'));
  }
  return sentences;
}

/**
 * Why the default encoding is what it is when JSON wins by more than ENCODING_SWITCH_RATIO somewhere (written from
 * the numbers of the full run recorded in RESULTS.md; README "Projection encoding" says the same).
 */
export const ENCODING_DECISION =
  'msgpack is kept as the default. What JSON saves is the decode and the JSON.stringify of the request path, which is why pages gain and gets barely do; ' +
  'the price is a read model that stores the HTTP answer rather than the data: 4–22% more Redis memory (products 1.04×, customers 1.13×, orders 1.22× ' +
  'MEMORY USAGE on the seeded set, README "Projection encoding"), every change of the answer\'s JSON a full rebuild, and every other reader parsing text. ' +
  'Set PROJECTION_ENCODING=json (with a REDIS_PREFIX of its own) where the page rate matters more.';

/**
 * The knob target: uws products get with the best knob against the baseline of the same run. Below it, the uws
 * get's profile says how much of a request each knob acts on: JSON encoding the msgpack decode and the JSON
 * serialisation, auto-pipelining the Redis driver's writes and reads.
 */
export function knobCheck(results: BenchResults, findings: readonly KnobFinding[], profiles: readonly ProfileFinding[] = []): TargetCheck {
  const get = findings.find((f) => f.runtime === 'uws' && f.entity === 'products' && f.operation === 'get');
  const best = get?.knobs.filter((k) => k.ratio !== null).reduce<KnobFinding['knobs'][number] | undefined>((a, b) => (!a || b.ratio! > a.ratio! ? b : a), undefined);
  if (!get || !best) return check(KNOB_TARGET.text, KNOB_TARGET.threshold, 'uws products get from redis, data-path knobs', null);
  const checked = check(KNOB_TARGET.text, KNOB_TARGET.threshold,
    `uws products get from redis: ${KNOB_LABELS[best.knob]} ${formatRps(best.cell.summary.rps.median)} vs baseline ${formatRps(get.baseline.summary.rps.median)} req/s`,
    best.ratio, { results, cells: [get.baseline, best.cell] });
  const profile = profiles.find((f) => !f.profile.floor && !f.profile.persistent && f.profile.runtime === 'uws' && f.profile.entity === 'products' &&
    f.profile.source === 'redis' && f.profile.operation === 'get');
  if (checked.status !== 'fail' || !profile || profile.busyPerRequest <= 0) return checked;
  const part = (categories: readonly Category[]) => categories.reduce((sum, c) => sum + profile.perRequest[c], 0);
  const pct = (us: number) => `${formatNumber((us / profile.busyPerRequest) * 100)}%`;
  const decode = part(['msgpack', 'json']);
  const driver = part(['redis']);
  return explainFailure(checked, `; profiled, a uws get spends ${formatNumber(profile.busyPerRequest)} µs per request: ${CATEGORY_LABELS.msgpack} and ${CATEGORY_LABELS.json} ` +
    `${formatNumber(decode, 1)} µs (${pct(decode)}, what JSON encoding removes), ${CATEGORY_LABELS.redis} ${formatNumber(driver, 1)} µs (${pct(driver)}, ` +
    `what auto-pipelining batches into fewer writes and reads); the largest part is ${profile.largest ? CATEGORY_LABELS[profile.largest.category] : '–'}`);
}

/** p99 against p50 on every uws and express matrix cell: where a tail fails, the runtime's GC share says whether GC is a cause. */
export function tailChecks(results: BenchResults, profiles: readonly ProfileFinding[]): TargetCheck[] {
  const cells = results.cells.filter((c) => c.group === 'matrix' && (c.runtime === 'uws' || c.runtime === 'express') && (c.connections ?? results.settings.connections) === 50);
  if (cells.length === 0) return [check(TAIL_TARGET.text, TAIL_TARGET.threshold, 'uws and express at 50 connections', null)];
  return cells.map((cell) => {
    const { p50, p99 } = cell.summary;
    const ratio = p99 > 0 ? p50 / p99 : null;
    let scope = `${cell.id}: p50 ${formatMs(p50)} ms, p99 ${formatMs(p99)} ms (${p50 > 0 ? formatRatio(p99 / p50) : '–'} p50)`;
    if (ratio !== null && ratio < TAIL_TARGET.threshold) {
      const gc = profiles.find((f) => !f.profile.floor && !f.profile.persistent && f.profile.runtime === cell.runtime && f.profile.source === cell.source && f.profile.operation === cell.operation);
      if (gc && gc.busyPerRequest > 0) {
        const share = gc.perRequest.gc / gc.busyPerRequest;
        scope += `; garbage collection ${formatNumber(share * 100)}% of this runtime's CPU on products ${operationName(cell.operation)} from ${cell.source}` +
          (share < GC_TAIL_SHARE ? ': too little to make this tail' : ': a likely part of this tail');
      }
    }
    return check(TAIL_TARGET.text, TAIL_TARGET.threshold, scope, ratio, { results, cells: [cell] });
  });
}

// ---- CPU attribution ------------------------------------------------------------------------------------

export interface ProfileFinding {
  readonly profile: CellProfile;
  /** µs of sampled time per request, per busy category (idle left out), and their sum. */
  readonly perRequest: Readonly<Record<Category, number>>;
  readonly busyPerRequest: number;
  /** Idle as a share of all sampled time (every process and thread). */
  readonly idleShare: number;
  readonly largest: { readonly category: Category; readonly perRequest: number; readonly share: number } | null;
  /** fork: CPU µs per request per stage. */
  readonly stages: Readonly<Record<BootstrapStage, number>> | null;
  readonly sentence: string;
}

export function profileFindings(results: BenchResults): ProfileFinding[] {
  return (results.profiles ?? []).map((profile) => {
    const requests = Math.max(1, profile.requests);
    const at = (c: string) => profile.categories[c] ?? 0;
    const perRequest = Object.fromEntries(BUSY_CATEGORIES.map((c) => [c, at(c) / requests])) as Record<Category, number>;
    const busy = BUSY_CATEGORIES.reduce((sum, c) => sum + at(c), 0);
    const all = busy + at('idle');
    const ranked = BUSY_CATEGORIES.map((c) => ({ category: c, perRequest: perRequest[c], share: busy > 0 ? at(c) / busy : 0 })).sort((a, b) => b.perRequest - a.perRequest);
    const largest = busy > 0 && profile.requests > 0 ? ranked[0]! : null;
    const stages = profile.stages ? Object.fromEntries(BOOTSTRAP_STAGES.map((s) => [s, (profile.stages![s] ?? 0) / requests])) as Record<BootstrapStage, number> : null;
    const what = profile.floor ? `${FLOOR_LABELS[profile.floor]} floor (of ${profile.runtime}), ${scenarioName(profile)}` : `${runtimeLabel({ runtime: profile.runtime, persistent: profile.persistent ?? false })}, ${scenarioName(profile)}`;
    const pct = (v: number) => `${formatNumber(v * 100)}%`;
    let sentence = !largest
      ? `${what}: profiled, but no request or no busy sample was recorded.`
      : `${what}: ${formatNumber(busy / requests)} µs of profiled time per request over ${profile.profiles} process${profile.profiles === 1 ? '' : 'es and threads'}; ` +
        `the largest category is ${CATEGORY_LABELS[largest.category]} (${formatNumber(largest.perRequest)} µs, ${pct(largest.share)}), then ` +
        `${ranked.slice(1, 3).map((r) => `${CATEGORY_LABELS[r.category]} (${formatNumber(r.perRequest)} µs, ${pct(r.share)})`).join(' and ')}; idle ${pct(all > 0 ? at('idle') / all : 0)} of the sampled time.`;
    if (largest && stages) {
      sentence += ` Per request, in CPU µs: ${BOOTSTRAP_STAGES.map((s) => `${BOOTSTRAP_LABELS[s]} ${formatNumber(stages[s])}`).join(', ')}.`;
    }
    return { profile, perRequest, busyPerRequest: busy / requests, idleShare: all > 0 ? at('idle') / all : 0, largest, stages, sentence };
  });
}

/**
 * Why a runtime misses "projection ≥ 2× MySQL": its profiles of products get from each source side by side — what
 * both pay (the largest category of the Redis read) against what the source changes (the difference in all).
 */
export function projectionShortfallSentences(targets: readonly TargetCheck[], profiles: readonly ProfileFinding[]): string[] {
  return RUNTIMES.flatMap((runtime) => {
    const failed = targets.filter((t) => t.target === PROJECTION_TARGET.text && t.status === 'fail' && t.scope.startsWith(`${runtime} `));
    if (failed.length === 0) return [];
    const of = (source: Source, operation: Operation) => profiles.find((f) => !f.profile.floor && !f.profile.persistent && f.profile.runtime === runtime && f.profile.source === source && f.profile.operation === operation);
    const pairs = OPERATIONS.flatMap((operation) => {
      const [redis, db] = [of('redis', operation), of('db', operation)];
      return redis?.largest && db ? [{ operation, redis, db, largest: redis.largest }] : [];
    });
    const below = `${runtime}: ${failed.length} projection-vs-MySQL check${failed.length === 1 ? '' : 's'} below ${formatRatio(PROJECTION_TARGET.threshold)} (${failed.map((t) => `${t.scope.slice(runtime.length + 1)} ${formatRatio(t.ratio ?? 0)}`).join(', ')})`;
    if (pairs.length === 0) return [`${below}; not profiled, so not explained here.`];
    return [`${below}. Profiled on products: ${pairs.map((p) =>
      `${operationName(p.operation)} from Redis ${formatNumber(p.redis.busyPerRequest)} µs per request against ${formatNumber(p.db.busyPerRequest)} from MySQL, ` +
      `the largest part of the Redis read being ${CATEGORY_LABELS[p.largest.category]} (${formatNumber(p.largest.perRequest)} µs, ${formatNumber(p.largest.share * 100)}%)`).join('; ')} — ` +
      'what a request pays whatever the source, which bounds how much faster the faster source can make it.'];
  });
}

// ---- what a runtime adds over its floor -------------------------------------------------------------------

export interface FloorGapFinding {
  readonly runtime: ProfileFinding;
  readonly floor: ProfileFinding;
  /** Runtime µs per request − floor µs per request, per busy category, and in all. */
  readonly extra: Readonly<Record<Category, number>>;
  readonly extraPerRequest: number;
  /** The categories that grew, largest first. */
  readonly grown: readonly { readonly category: Category; readonly extra: number }[];
  readonly sentence: string;
}

/** Each floor profile against the runtime's profile of the same cell: the extra µs per request, by category. */
export function floorGapFindings(profiles: readonly ProfileFinding[]): FloorGapFinding[] {
  return profiles.filter((f) => f.profile.floor).flatMap((floor) => {
    // The FPM-like pool keeps its connections: it is the floor of fork with FORK_PERSISTENT=1.
    const persistent = floor.profile.floor === 'fpm';
    const runtime = profiles.find((f) => !f.profile.floor && (f.profile.persistent ?? false) === persistent && f.profile.runtime === floor.profile.runtime &&
      f.profile.entity === floor.profile.entity && f.profile.source === floor.profile.source && f.profile.operation === floor.profile.operation);
    if (!runtime) return [];
    const extra = Object.fromEntries(BUSY_CATEGORIES.map((c) => [c, runtime.perRequest[c] - floor.perRequest[c]])) as Record<Category, number>;
    const grown = BUSY_CATEGORIES.map((c) => ({ category: c, extra: extra[c] })).filter((g) => g.extra > 0).sort((a, b) => b.extra - a.extra);
    const extraPerRequest = runtime.busyPerRequest - floor.busyPerRequest;
    const sentence = `${runtimeLabel({ runtime: runtime.profile.runtime, persistent })} ${scenarioName(runtime.profile)}: ${formatNumber(runtime.busyPerRequest)} µs per request against ` +
      `${formatNumber(floor.busyPerRequest)} on its floor (${FLOOR_LABELS[floor.profile.floor!]}), ${extraPerRequest >= 0 ? '+' : '−'}${formatNumber(Math.abs(extraPerRequest))} µs; ` +
      (grown.length === 0 ? 'no category grew.' : `the most added by ${grown.slice(0, 3).map((g) => `${CATEGORY_LABELS[g.category]} (+${formatNumber(g.extra, 1)} µs)`).join(', ')}.`);
    return [{ runtime, floor, extra, extraPerRequest, grown, sentence }];
  });
}

// ---- page depth -------------------------------------------------------------------------------------

export interface DepthPoint {
  /** Rows before the page (0: the first page). */
  readonly depth: number;
  readonly rps: number;
  readonly p50: number;
  /** How many times the first page's cost per request: first page req/s ÷ this page's. */
  readonly cost: number;
  readonly cell: Cell;
}

export interface DepthFinding {
  readonly source: Source;
  readonly by: 'offset' | 'after';
  readonly rows: number;
  readonly points: readonly DepthPoint[];
  readonly sentence: string;
}

/** Each source × paging at each data size: the cost of reading deeper than the first page. */
export function depthFindings(results: BenchResults): DepthFinding[] {
  const scale = results.cells.filter((c) => c.group === 'scale' && c.operation === 'list' && c.rows !== undefined);
  const findings: DepthFinding[] = [];
  const sizes = [...new Set(scale.filter((c) => c.page).map((c) => c.rows!))].sort((a, b) => a - b);
  for (const rows of sizes) {
    for (const source of ['db', 'redis'] as const) {
      const first = scale.find((c) => c.rows === rows && c.source === source && !c.page);
      for (const by of ['offset', 'after'] as const) {
        const deeper = scale.filter((c) => c.rows === rows && c.source === source && c.page?.by === by).sort((a, b) => a.page!.depth - b.page!.depth);
        if (!first || deeper.length === 0 || first.summary.rps.median <= 0) continue;
        const point = (c: Cell, depth: number): DepthPoint => ({
          depth, rps: c.summary.rps.median, p50: c.summary.p50, cost: c.summary.rps.median > 0 ? first.summary.rps.median / c.summary.rps.median : Infinity, cell: c,
        });
        const points = [point(first, 0), ...deeper.map((c) => point(c, c.page!.depth))];
        const deepest = points[points.length - 1]!;
        const how = by === 'offset' ? 'by offset' : 'by cursor (after)';
        const where = `${source === 'db' ? 'MySQL' : 'the projection'} ${how} at ${formatNumber(rows)} rows`;
        const sentence = deepest.cost <= 1.25
          ? `${where}: page depth costs nothing measurable (the last page at ${formatRatio(deepest.cost)} the first page's cost, ${formatRps(deepest.rps)} vs ${formatRps(points[0]!.rps)} req/s).`
          : `${where}: cost grows with depth, the last page (${formatNumber(deepest.depth)} rows in) at ${formatRatio(deepest.cost)} the first page's cost (${formatRps(deepest.rps)} vs ${formatRps(points[0]!.rps)} req/s)` +
            `${points.length > 2 ? `; ${points.slice(1, -1).map((p) => `${formatNumber(p.depth)} rows in: ${formatRatio(p.cost)}`).join(', ')}` : ''}.`;
        findings.push({ source, by, rows, points, sentence });
      }
    }
  }
  return findings;
}

/**
 * Cursor against offset at the same depths, per source at the largest size: whether paging by `after` is
 * cheaper or dearer than by `offset` for pages of the same rows (the median of the depths' ratios).
 */
export function cursorVsOffsetSentences(findings: readonly DepthFinding[]): string[] {
  if (findings.length === 0) return [];
  const rows = Math.max(...findings.map((f) => f.rows));
  return (['db', 'redis'] as const).flatMap((source) => {
    const offset = findings.find((f) => f.rows === rows && f.source === source && f.by === 'offset');
    const after = findings.find((f) => f.rows === rows && f.source === source && f.by === 'after');
    if (!offset || !after) return [];
    const ratios = after.points.filter((p) => p.depth > 0).flatMap((p) => {
      const o = offset.points.find((q) => q.depth === p.depth);
      return o && o.rps > 0 ? [{ depth: p.depth, ratio: p.rps / o.rps }] : [];
    });
    if (ratios.length === 0) return [];
    const what = source === 'db' ? 'MySQL' : 'The projection';
    return [`${what} at ${formatNumber(rows)} rows, cursor ÷ offset req/s for the same page: ${ratios.map((r) => `${formatRatio(r.ratio)} at ${formatNumber(r.depth)} rows in`).join(', ')}` +
      (ratios.every((r) => r.ratio >= 0.8 && r.ratio <= 1.25) ? ' — the same cost within this machine\'s noise.' : '.')];
  });
}

/** At the largest data size: the deepest offset the MySQL routes allow by default against their first page. */
export function deepPageCheck(results: BenchResults, findings: readonly DepthFinding[]): TargetCheck {
  const bound = results.settings.dbMaxOffset;
  const db = findings.filter((f) => f.source === 'db' && f.by === 'offset');
  const largest = db[db.length - 1];
  if (!largest || bound === undefined) return check(DEEP_PAGE_TARGET.text, DEEP_PAGE_TARGET.threshold, 'MySQL pages by offset at several depths', null);
  const allowed = largest.points.filter((p) => p.depth <= bound);
  const deepest = allowed[allowed.length - 1]!;
  const scope = `MySQL by offset at ${formatNumber(largest.rows)} rows, offset ${formatNumber(deepest.depth)} (DB_MAX_OFFSET ${formatNumber(bound)}): ${formatRps(deepest.rps)} vs first page ${formatRps(largest.points[0]!.rps)} req/s`;
  return check(DEEP_PAGE_TARGET.text, DEEP_PAGE_TARGET.threshold, scope, deepest.depth === 0 ? null : 1 / deepest.cost,
    { results, cells: [largest.points[0]!.cell, deepest.cell] });
}

export function targetChecks(results: BenchResults, sources: readonly SourceRatioFinding[], readModes: readonly ReadModeFinding[]): TargetCheck[] {
  const checks = sources.map((f) => check(PROJECTION_TARGET.text, PROJECTION_TARGET.threshold, `${f.runtime} ${f.entity} ${f.operation}`, f.ratio,
    { results, cells: SOURCES.map((source) => matrixCell(results, f.runtime, f.entity, source, f.operation)) }));
  const lists = readModes.filter((f) => f.operation === 'list');
  if (lists.length === 0) {
    checks.push(check(ORIGINAL_TARGET.text, ORIGINAL_TARGET.threshold, 'lists', null));
  }
  for (const f of lists) {
    checks.push(check(ORIGINAL_TARGET.text, ORIGINAL_TARGET.threshold, `${f.runtime} ${f.entity} list from ${f.source}`, f.overall.speedup,
      { results, cells: f.modes.filter((m) => m.mode === 'original' || m.mode === 'default').map((m) => m.cell) }));
  }
  return checks;
}

// ---- the load generator --------------------------------------------------------------------------

export interface LoadGeneratorFinding {
  readonly minCpuPct: number | null;
  readonly maxCpuPct: number | null;
  readonly busiestCell: string | null;
  readonly sentence: string;
}

export function loadGeneratorFinding(results: BenchResults): LoadGeneratorFinding {
  const driver = `${results.driver.name} ${results.driver.version}`;
  const cores = `${results.machine.cores} core${results.machine.cores === 1 ? '' : 's'}`;
  if (results.cells.length === 0) {
    return { minCpuPct: null, maxCpuPct: null, busiestCell: null, sentence: `The load generator (${driver}) shares the machine's ${cores} with the server; no cell was measured.` };
  }
  const busiest = results.cells.reduce((a, b) => (b.summary.driverCpuPct > a.summary.driverCpuPct ? b : a));
  const minCpuPct = Math.min(...results.cells.map((c) => c.summary.driverCpuPct));
  const maxCpuPct = busiest.summary.driverCpuPct;
  return {
    minCpuPct,
    maxCpuPct,
    busiestCell: busiest.id,
    sentence:
      `The load generator (${driver}) shares the machine's ${cores} with the server: it used ${formatNumber(minCpuPct)}–${formatNumber(maxCpuPct)}% ` +
      `of one core, most on ${busiest.id} (${formatRps(busiest.summary.rps.median)} req/s), CPU the server could not use.`,
  };
}

// ---- all of it ----------------------------------------------------------------------------------------

export interface Conclusions {
  readonly failures: readonly CellFailures[];
  readonly sourceRatios: readonly SourceRatioFinding[];
  readonly runtimeRatios: readonly RuntimeRatioFinding[];
  readonly sweep: readonly SweepFinding[];
  readonly readModes: readonly ReadModeFinding[];
  readonly depth: readonly DepthFinding[];
  readonly persistent: readonly PersistentFinding[];
  readonly floors: readonly FloorFinding[];
  readonly profiles: readonly ProfileFinding[];
  readonly floorGaps: readonly FloorGapFinding[];
  readonly knobs: readonly KnobFinding[];
  readonly targets: readonly TargetCheck[];
  readonly loadGenerator: LoadGeneratorFinding;
  /** The findings in a few sentences, for the "Conclusions" list. */
  readonly summary: readonly string[];
}

export function deriveConclusions(results: BenchResults): Conclusions {
  const failures = failedCells(results);
  const sources = sourceRatios(results);
  const runtimes = runtimeRatios(results);
  const sweep = sweepFindings(results);
  const readModes = readModeFindings(results);
  const depth = depthFindings(results);
  const persistent = persistentFindings(results);
  const floors = floorFindings(results);
  const profiles = profileFindings(results);
  const floorGaps = floorGapFindings(profiles);
  const knobs = knobFindings(results);
  const targets = [...targetChecks(results, sources, readModes), bareUwsCheck(results), ...flatCostChecks(results), deepPageCheck(results, depth),
    ...floorChecks(results, floors, floorGaps), knobCheck(results, knobs, profiles), ...tailChecks(results, profiles)];
  const loadGenerator = loadGeneratorFinding(results);
  const summary = [
    failuresSentence(failures),
    ...RUNTIMES.map((runtime) => sourceSummary(runtime, sources.filter((f) => f.runtime === runtime))),
    ...RUNTIME_PAIRS.map(([a, b]) => runtimePairSummary(a, b, runtimes.filter((f) => f.numerator === a && f.denominator === b))),
    ...(sweep.length > 0 ? sweep.map((f) => f.sentence) : ['Worker sweep: not measured.']),
    persistentSentence(persistent),
    ...floorSentences(floors),
    ...floorGaps.map((g) => g.sentence),
    ...(profiles.length > 0 ? profiles.map((f) => f.sentence) : ['CPU attribution: not measured (no profiled cells).']),
    ...(readModes.length > 0 ? readModes.map((f) => f.sentence) : ["The original's read path: not measured."]),
    ...knobSentences(knobs, results.settings),
    ...(depth.length > 0 ? largestSizeDepthSentences(depth) : ['Page depth: not measured.']),
    ...targetSummary(targets),
    ...projectionShortfallSentences(targets, profiles),
    loadGenerator.sentence,
  ];
  return { failures, sourceRatios: sources, runtimeRatios: runtimes, sweep, readModes, depth, persistent, floors, profiles, floorGaps, knobs, targets, loadGenerator, summary };
}

function largestSizeDepthSentences(depth: readonly DepthFinding[]): string[] {
  const rows = Math.max(...depth.map((f) => f.rows));
  return [...depth.filter((f) => f.rows === rows).map((f) => f.sentence), ...cursorVsOffsetSentences(depth)];
}

function failuresSentence(failures: readonly CellFailures[]): string {
  if (failures.length === 0) return 'Every request of every cell was answered 2xx, with no errors or timeouts.';
  const total = failures.reduce((sum, f) => sum + f.errors + f.non2xx, 0);
  return `${failures.length} cell${failures.length === 1 ? '' : 's'} had failed requests (${formatNumber(total)} errors and non-2xx answers in all: ${failures
    .map((f) => f.cell.id)
    .join(', ')}); their numbers are not clean measurements.`;
}

function sourceSummary(runtime: RuntimeName, findings: readonly SourceRatioFinding[]): string {
  const measured = findings.filter((f): f is SourceRatioFinding & { ratio: number } => f.ratio !== null);
  if (measured.length === 0) return `${runtime}: projection reads vs MySQL reads not measured.`;
  const low = measured.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  const high = measured.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  const below = measured.filter((f) => f.ratio < 1).length;
  return (
    `${runtime}: projection reads run at ${formatRatio(low.ratio)} (${low.entity} ${low.operation}) to ${formatRatio(high.ratio)} (${high.entity} ${high.operation}) ` +
    `the rate of MySQL reads over ${measured.length} scenario${measured.length === 1 ? '' : 's'}` +
    (below > 0 ? `; slower than MySQL in ${below}.` : '.')
  );
}

function runtimePairSummary(numerator: RuntimeName, denominator: RuntimeName, findings: readonly RuntimeRatioFinding[]): string {
  const measured = findings.filter((f): f is RuntimeRatioFinding & { ratio: number } => f.ratio !== null);
  if (measured.length === 0) return `${numerator} ÷ ${denominator}: not measured.`;
  const low = measured.reduce((a, b) => (b.ratio < a.ratio ? b : a));
  const high = measured.reduce((a, b) => (b.ratio > a.ratio ? b : a));
  return (
    `${numerator} ÷ ${denominator}: ${formatRatio(low.ratio)} (${scenarioName(low)}) to ${formatRatio(high.ratio)} (${scenarioName(high)}), ` +
    `median ${formatRatio(median(measured.map((f) => f.ratio)))} over ${measured.length} scenario${measured.length === 1 ? '' : 's'}.`
  );
}

function targetSummary(targets: readonly TargetCheck[]): string[] {
  return [PROJECTION_TARGET.text, ORIGINAL_TARGET.text, ...FLOOR_TARGETS.map((t) => t.text), KNOB_TARGET.text, TAIL_TARGET.text].map((text) => {
    const checks = targets.filter((t) => t.target === text);
    const measured = checks.filter((t) => t.status !== 'not measured');
    if (measured.length === 0) return `Target "${text}": not measured.`;
    const failed = measured.filter((t) => t.status === 'fail');
    const inconclusive = measured.filter((t) => t.status === 'inconclusive');
    const passed = measured.filter((t) => t.status === 'pass');
    return (
      `Target "${text}": ${passed.length} of ${measured.length} checks pass` +
      (failed.length > 0 ? `; below it: ${failed.map((t) => `${t.scope} (${formatRatio(t.ratio ?? 0)})`).join(', ')}` : '') +
      (inconclusive.length > 0 ? `; inconclusive (driver-bound): ${inconclusive.map((t) => t.scope).join(', ')}` : '') +
      '.'
    );
  });
}

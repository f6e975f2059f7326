// The read cells in numbers: failed requests, projection against MySQL, runtime against runtime, the worker sweep,
// fork's persistent connections, the original's read path stage by stage, page depth and the load generator.
import type { BenchResults, Cell, EntityName, Operation, ReadMode, RuntimeName, Source } from '../../results.js';
import { ENTITIES, matrixCell, OPERATIONS, ratioOf, READ_MODE_ORDER, runtimePairs, runtimesOf, SOURCES } from './common.js';

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
    .map((cell) => ({ cell, errors: Math.max(cell.summary.errors, sum(cell, 'errors')), non2xx: Math.max(cell.summary.non2xx, sum(cell, 'non2xx')), timeouts: sum(cell, 'timeouts') }))
    .filter((f) => f.errors > 0 || f.non2xx > 0 || f.timeouts > 0);
}

export interface SourceRatioFinding {
  readonly runtime: RuntimeName;
  readonly entity: EntityName;
  readonly operation: Operation;
  readonly redisRps: number | null;
  readonly dbRps: number | null;
  /** redis req/s ÷ db req/s. */
  readonly ratio: number | null;
}

export function sourceRatios(results: BenchResults): SourceRatioFinding[] {
  return runtimesOf(results).flatMap((runtime) => ENTITIES.flatMap((entity) => OPERATIONS.map((operation) => {
    const redisRps = matrixCell(results, runtime, entity, 'redis', operation)?.summary.rps.median ?? null;
    const dbRps = matrixCell(results, runtime, entity, 'db', operation)?.summary.rps.median ?? null;
    return { runtime, entity, operation, redisRps, dbRps, ratio: ratioOf(redisRps, dbRps) };
  })));
}

export interface RuntimeRatioFinding {
  readonly numerator: RuntimeName;
  readonly denominator: RuntimeName;
  readonly entity: EntityName;
  readonly source: Source;
  readonly operation: Operation;
  readonly numeratorRps: number | null;
  readonly denominatorRps: number | null;
  readonly ratio: number | null;
}

export function runtimeRatios(results: BenchResults): RuntimeRatioFinding[] {
  return runtimePairs(runtimesOf(results)).flatMap(([numerator, denominator]) => ENTITIES.flatMap((entity) => SOURCES.flatMap((source) => OPERATIONS.map((operation) => {
    const numeratorRps = matrixCell(results, numerator, entity, source, operation)?.summary.rps.median ?? null;
    const denominatorRps = matrixCell(results, denominator, entity, source, operation)?.summary.rps.median ?? null;
    return { numerator, denominator, entity, source, operation, numeratorRps, denominatorRps, ratio: ratioOf(numeratorRps, denominatorRps) };
  }))));
}

export interface SweepFinding {
  readonly runtime: RuntimeName;
  readonly entity: EntityName;
  readonly source: Source;
  readonly operation: Operation;
  /** Sorted by worker count. */
  readonly points: readonly { readonly workers: number; readonly rps: number }[];
  readonly best: { readonly workers: number; readonly rps: number };
}

export function sweepFindings(results: BenchResults): SweepFinding[] {
  const sweep = results.cells.filter((c) => c.group === 'sweep');
  return runtimesOf(results).flatMap((runtime) => ENTITIES.flatMap((entity) => SOURCES.flatMap((source) => OPERATIONS.flatMap((operation) => {
    const cells = sweep.filter((c) => c.runtime === runtime && c.entity === entity && c.source === source && c.operation === operation);
    if (cells.length === 0) return [];
    const points = cells.map((c) => ({ workers: c.workers, rps: c.summary.rps.median })).sort((a, b) => a.workers - b.workers);
    return [{ runtime, entity, source, operation, points, best: points.reduce((a, b) => (b.rps > a.rps ? b : a)) }];
  }))));
}

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

/** What moving to a read mode removes, and which operations it touches (a get reads one id anyway). */
export const READ_MODE_APPLIES: Readonly<Record<Exclude<ReadMode, 'original'>, readonly Operation[]>> = {
  'original-mget': ['list'], 'original-pooled': ['list', 'get'], 'original-paged': ['list'], default: ['list', 'get'],
};

export interface ReadModeStep {
  readonly from: ReadMode;
  readonly to: ReadMode;
  /** The modes whose cause this step removes (more than one when a stage between them was not measured). */
  readonly removes: readonly Exclude<ReadMode, 'original'>[];
  readonly fromRps: number;
  readonly toRps: number;
  readonly speedup: number | null;
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
}

function applies(mode: ReadMode, operation: Operation): mode is Exclude<ReadMode, 'original'> {
  return mode !== 'original' && READ_MODE_APPLIES[mode].includes(operation);
}

export function readModeFindings(results: BenchResults): ReadModeFinding[] {
  const reads = results.cells.filter((c) => c.group === 'reads');
  return runtimesOf(results).flatMap((runtime) => ENTITIES.flatMap((entity) => SOURCES.flatMap((source) => OPERATIONS.flatMap((operation) => {
    const cells = reads.filter((c) => c.runtime === runtime && c.entity === entity && c.source === source && c.operation === operation);
    if (cells.length === 0) return [];
    const modes = READ_MODE_ORDER.flatMap((mode) => {
      const cell = cells.find((c) => c.readMode === mode);
      return cell ? [{ mode, listQuery: cell.listQuery, rps: cell.summary.rps.median, cell }] : [];
    });
    const missing = READ_MODE_ORDER.filter((mode) => (mode === 'original' || applies(mode, operation)) && !modes.some((m) => m.mode === mode));
    const steps = modes.slice(1).map((to, i): ReadModeStep => {
      const from = modes[i]!;
      const spanned = READ_MODE_ORDER.slice(READ_MODE_ORDER.indexOf(from.mode) + 1, READ_MODE_ORDER.indexOf(to.mode) + 1);
      return { from: from.mode, to: to.mode, removes: spanned.filter((mode) => applies(mode, operation)), fromRps: from.rps, toRps: to.rps, speedup: ratioOf(to.rps, from.rps) };
    });
    const originalRps = modes.find((m) => m.mode === 'original')?.rps ?? null;
    const defaultRps = modes.find((m) => m.mode === 'default')?.rps ?? null;
    return [{ runtime, entity, source, operation, modes, missing, steps, overall: { originalRps, defaultRps, speedup: ratioOf(defaultRps, originalRps) } }];
  }))));
}

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
}

/** Each source × paging at each data size: the cost of reading deeper than the first page. */
export function depthFindings(results: BenchResults): DepthFinding[] {
  const scale = results.cells.filter((c) => c.group === 'scale' && c.operation === 'list' && c.rows !== undefined);
  const sizes = [...new Set(scale.filter((c) => c.page).map((c) => c.rows!))].sort((a, b) => a - b);
  return sizes.flatMap((rows) => SOURCES.flatMap((source) => {
    const first = scale.find((c) => c.rows === rows && c.source === source && !c.page);
    return (['offset', 'after'] as const).flatMap((by) => {
      const deeper = scale.filter((c) => c.rows === rows && c.source === source && c.page?.by === by).sort((a, b) => a.page!.depth - b.page!.depth);
      if (!first || deeper.length === 0 || first.summary.rps.median <= 0) return [];
      const point = (c: Cell, depth: number): DepthPoint => ({
        depth, rps: c.summary.rps.median, p50: c.summary.p50, cost: c.summary.rps.median > 0 ? first.summary.rps.median / c.summary.rps.median : Infinity, cell: c,
      });
      return [{ source, by, rows, points: [point(first, 0), ...deeper.map((c) => point(c, c.page!.depth))] }];
    });
  }));
}

/** Cursor ÷ offset req/s for the same page, per source at the largest size. */
export interface CursorFinding {
  readonly source: Source;
  readonly rows: number;
  readonly ratios: readonly { readonly depth: number; readonly ratio: number }[];
}

export function cursorFindings(findings: readonly DepthFinding[]): CursorFinding[] {
  if (findings.length === 0) return [];
  const rows = Math.max(...findings.map((f) => f.rows));
  return SOURCES.flatMap((source) => {
    const offset = findings.find((f) => f.rows === rows && f.source === source && f.by === 'offset');
    const after = findings.find((f) => f.rows === rows && f.source === source && f.by === 'after');
    if (!offset || !after) return [];
    const ratios = after.points.filter((p) => p.depth > 0).flatMap((p) => {
      const o = offset.points.find((q) => q.depth === p.depth);
      return o && o.rps > 0 ? [{ depth: p.depth, ratio: p.rps / o.rps }] : [];
    });
    return ratios.length === 0 ? [] : [{ source, rows, ratios }];
  });
}

export interface LoadGeneratorFinding {
  readonly minCpuPct: number | null;
  readonly maxCpuPct: number | null;
  readonly busiest: Cell | null;
}

export function loadGeneratorFinding(results: BenchResults): LoadGeneratorFinding {
  if (results.cells.length === 0) return { minCpuPct: null, maxCpuPct: null, busiest: null };
  const busiest = results.cells.reduce((a, b) => (b.summary.driverCpuPct > a.summary.driverCpuPct ? b : a));
  return { minCpuPct: Math.min(...results.cells.map((c) => c.summary.driverCpuPct)), maxCpuPct: busiest.summary.driverCpuPct, busiest };
}

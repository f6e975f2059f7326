// What the analysis shares: the orders it walks the results in, and the cells it compares.
import { ENTITY_NAMES } from '../../../core/index.js';
import type { BenchResults, Cell, EntityName, Operation, ReadMode, RuntimeName, Source } from '../../results.js';

export const ENTITIES: readonly EntityName[] = ENTITY_NAMES;
export const SOURCES: readonly Source[] = ['db', 'redis'];
export const OPERATIONS: readonly Operation[] = ['get', 'list'];
/** The list the comparisons use: a page of 50. */
export const PAGE_QUERY = 'limit=50';
/** The original's read path taken apart one cause at a time, ending at this project's default. */
export const READ_MODE_ORDER: readonly ReadMode[] = ['original', 'original-mget', 'original-pooled', 'original-paged', 'default'];

/** The runtimes of a run, in the order its results file lists them (the report knows no list of its own). */
export function runtimesOf(results: Pick<BenchResults, 'cells'>): RuntimeName[] {
  return [...new Set(results.cells.map((c) => c.runtime))];
}

/** Each pair compared, the later runtime over the earlier: for fork, express, uws: uws ÷ express, express ÷ fork, uws ÷ fork. */
export function runtimePairs(runtimes: readonly RuntimeName[]): [RuntimeName, RuntimeName][] {
  const adjacent = runtimes.slice(1).map((r, i) => [r, runtimes[i]!] as [RuntimeName, RuntimeName]).reverse();
  const last = runtimes[runtimes.length - 1];
  const first = runtimes[0];
  return runtimes.length > 2 && last && first ? [...adjacent, [last, first]] : adjacent;
}

export function scenarioName(cell: Pick<Cell, 'entity' | 'source' | 'operation'>): string {
  return `${cell.entity}/${cell.source}/${cell.operation}`;
}

export function operationName(operation: Operation): string {
  return operation === 'get' ? 'get by id' : operation === 'list' ? 'page of 50' : operation;
}

/** The matrix cell of a scenario, in the default read mode; a list is the page of 50. */
export function matrixCell(results: BenchResults, runtime: RuntimeName, entity: EntityName, source: Source, operation: Operation): Cell | undefined {
  return results.cells.find(
    (c) =>
      c.group === 'matrix' && c.runtime === runtime && c.entity === entity && c.source === source && c.operation === operation &&
      c.readMode === 'default' && (operation === 'get' || c.listQuery === PAGE_QUERY),
  );
}

export function ratioOf(numerator: number | null, denominator: number | null): number | null {
  return numerator !== null && denominator !== null && denominator > 0 ? numerator / denominator : null;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
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

import type { Cell, EntityName, Operation, ReadMode, RuntimeName, Source } from './results.js';
import type { Scenarios } from './scenarios.js';

/** A cell to measure, before it has runs. */
export type CellPlan = Omit<Cell, 'runs' | 'summary'>;

export interface PlanOptions {
  readonly runtimes: readonly RuntimeName[];
  readonly forkWorkers: number;
  readonly uwsWorkers: number;
  /** Include the worker-count sweep and the read-mode comparison (the full run does). */
  readonly sweep: boolean;
  readonly reads: boolean;
}

function defaultWorkers(runtime: RuntimeName, options: PlanOptions): number {
  return runtime === 'fork' ? options.forkWorkers : runtime === 'uws' ? options.uwsWorkers : 1;
}

export function cellId(c: Pick<CellPlan, 'runtime' | 'entity' | 'source' | 'operation' | 'group' | 'workers' | 'readMode' | 'rows'>): string {
  const base = `${c.runtime}/${c.entity}/${c.source}/${c.operation}`;
  if (c.group === 'scale') return `${base}#${c.rows}`;
  if (c.group === 'sweep') return `${base}@w${c.workers}`;
  if (c.group === 'reads') return `${base}~${c.readMode}`;
  return base;
}

function plan(group: CellPlan['group'], runtime: RuntimeName, entity: EntityName, source: Source, operation: Operation,
  workers: number, readMode: ReadMode, listQuery: string): CellPlan {
  const cell = { group, runtime, entity, source, operation, workers, readMode, listQuery: operation === 'list' ? listQuery : '' };
  return { id: cellId(cell), ...cell };
}

/** Every cell of a run: the matrix, then (optionally) the worker sweep and the read modes. */
export function planCells(scenarios: Scenarios, options: PlanOptions): CellPlan[] {
  const cells: CellPlan[] = [];
  for (const runtime of options.runtimes) {
    for (const entity of scenarios.entities) {
      for (const source of ['db', 'redis'] as const) {
        for (const operation of ['get', 'list'] as const) {
          cells.push(plan('matrix', runtime, entity, source, operation, defaultWorkers(runtime, options), 'default', scenarios.listQuery));
        }
      }
    }
  }
  if (options.sweep) {
    const { workers, runtimes, entity, source, operation } = scenarios.sweep;
    for (const runtime of runtimes.filter((r) => options.runtimes.includes(r))) {
      for (const w of workers) cells.push(plan('sweep', runtime, entity, source, operation, w, 'default', scenarios.listQuery));
    }
  }
  if (options.reads && options.runtimes.includes(scenarios.reads.runtime)) {
    const { runtime, entity } = scenarios.reads;
    const workers = defaultWorkers(runtime, options);
    // The original demo returned whole lists: its read path is measured on the whole list, the default on a page.
    const { connections } = scenarios.reads;
    for (const mode of scenarios.reads.list) {
      const listQuery = mode === 'original-paged' || mode === 'default' ? scenarios.listQuery : 'limit=all';
      cells.push({ ...plan('reads', runtime, entity, 'redis', 'list', workers, mode, listQuery), connections });
    }
    for (const mode of scenarios.reads.get) cells.push({ ...plan('reads', runtime, entity, 'redis', 'get', workers, mode, scenarios.listQuery), connections });
  }
  return cells;
}

/**
 * The scale cells for the data set loaded now (`rows` products): the same scenarios measured again at
 * another size, to see whether cost per request stays flat as the table grows.
 */
export function planScaleCells(scenarios: Scenarios, runtime: RuntimeName, workers: number, rows: number): CellPlan[] {
  return (['db', 'redis'] as const).flatMap((source) => (['get', 'list'] as const).map((operation) => {
    const cell = { group: 'scale' as const, runtime, entity: 'products' as const, source, operation, workers, readMode: 'default' as const,
      listQuery: operation === 'list' ? scenarios.listQuery : '', rows };
    return { id: cellId(cell), ...cell };
  }));
}

/** The environment a cell's runtime needs; cells with equal environments share one runtime start. */
export function runtimeEnv(cell: CellPlan): Record<string, string> {
  const env: Record<string, string> = { PROJECTION_READS: cell.readMode };
  if (cell.runtime === 'fork') env.FORK_WORKERS = String(cell.workers);
  if (cell.runtime === 'uws') env.UWS_WORKERS = String(cell.workers);
  return env;
}

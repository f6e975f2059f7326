import type { Cell, DataPathKnob, EntityName, FloorName, Operation, ReadMode, RuntimeName, Source } from './results.js';
import type { CommandName, Scenarios } from './scenarios.js';
import { commandNames, splitCommand } from './writes.js';

/** A cell to measure, before it has runs. */
export type CellPlan = Omit<Cell, 'runs' | 'summary'>;

export interface PlanOptions {
  readonly runtimes: readonly RuntimeName[];
  readonly forkWorkers: number;
  readonly uwsWorkers: number;
  /** Include the worker-count sweep and the read-mode comparison (the full run does). */
  readonly sweep: boolean;
  readonly reads: boolean;
  /** Include fork's matrix again with FORK_PERSISTENT=1 (the full run does, unless fork already runs persistent). */
  readonly persistent?: boolean;
  /** Include the floors (bench/floors/) of the runtimes measured: products get and page, both sources (the full run does). */
  readonly floors?: boolean;
  /** Include the data-path knobs (auto-pipelining, JSON encoding) on uws and express (the full run does). */
  readonly knobs?: boolean;
  /**
   * The write cells (every command at writes.connections, with the write floor beside the floor's command) and a
   * mixed cell per runtime: `all`, `quick` (writes.quick's commands and connections) or none.
   */
  readonly writes?: 'all' | 'quick';
}

/** Each runtime's floor, and the floors it is compared with: node:http is what Express runs on. */
export const FLOOR_OF: Readonly<Record<RuntimeName, FloorName>> = { uws: 'uws', express: 'express', fork: 'fpm' };
export const FLOOR_RUNTIME: Readonly<Record<FloorName, RuntimeName>> = { uws: 'uws', 'node-http': 'express', express: 'express', fpm: 'fork' };
/** The floors, in the order they are measured and reported. */
export const FLOOR_NAMES: readonly FloorName[] = ['uws', 'node-http', 'express', 'fpm'];
/** The entity the floors and the profiles read: the scenario the targets are about. */
export const FLOOR_ENTITY: EntityName = 'products';

/** The data-path settings compared, in the order they are measured and reported; each against `baseline`. */
export const DATA_PATH_KNOBS: readonly DataPathKnob[] = ['baseline', 'auto-pipelining', 'json-encoding', 'both'];
/** The runtimes whose data path the knobs are measured on (fork's per-request bootstrap would drown them). */
export const KNOB_RUNTIMES: readonly RuntimeName[] = ['uws', 'express'];

function defaultWorkers(runtime: RuntimeName, options: PlanOptions): number {
  return runtime === 'fork' ? options.forkWorkers : runtime === 'uws' ? options.uwsWorkers : 1;
}

export function cellId(c: Pick<CellPlan, 'runtime' | 'entity' | 'source' | 'operation' | 'group' | 'workers' | 'readMode' | 'rows' | 'page' | 'floor' | 'knob' | 'connections' | 'writeFloor'>): string {
  if (c.group === 'floor') return `floor:${c.floor}/${c.entity}/${c.source}/${c.operation}`;
  if (c.group === 'writes') return `${c.writeFloor ? `floor:write[${c.runtime}]` : c.runtime}/${c.entity}/${c.operation}@c${c.connections}`;
  if (c.group === 'mixed') return `${c.runtime}/mixed@c${c.connections}`;
  const base = `${c.runtime}/${c.entity}/${c.source}/${c.operation}`;
  if (c.group === 'knobs') return `${base}[${c.knob}]`;
  if (c.group === 'scale') return `${base}#${c.rows}${c.page ? `@${c.page.by}=${c.page.depth}` : ''}`;
  if (c.group === 'sweep') return `${base}@w${c.workers}`;
  if (c.group === 'reads') return `${base}~${c.readMode}`;
  if (c.group === 'persistent') return `${base}+persistent`;
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
  if (options.persistent && options.runtimes.includes('fork')) {
    for (const entity of scenarios.entities) {
      for (const source of ['db', 'redis'] as const) {
        for (const operation of ['get', 'list'] as const) cells.push(plan('persistent', 'fork', entity, source, operation, options.forkWorkers, 'default', scenarios.listQuery));
      }
    }
  }
  if (options.floors) cells.push(...planFloorCells(scenarios, options));
  if (options.knobs) cells.push(...planKnobCells(scenarios, options));
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
  // Last: they add rows (the bench restores the data set after them).
  if (options.writes) cells.push(...planWriteCells(scenarios, options));
  return cells;
}

/**
 * Per runtime: every command (writes.quick's in a quick run) at each connection count, the write floor beside
 * the cells of its command (measured in turns with them), then the mixed cell.
 */
export function planWriteCells(scenarios: Scenarios, options: PlanOptions): CellPlan[] {
  const quick = options.writes === 'quick';
  const commands: readonly CommandName[] = quick ? scenarios.writes.quick.commands : commandNames(scenarios);
  const counts = quick ? scenarios.writes.quick.connections : scenarios.writes.connections;
  const { floor } = scenarios.writes;
  return options.runtimes.flatMap((runtime) => {
    const workers = defaultWorkers(runtime, options);
    const cell = (fields: Pick<CellPlan, 'group' | 'entity' | 'source' | 'operation' | 'connections'> & { writeFloor?: boolean }): CellPlan => {
      const planned = { runtime, workers, readMode: 'default' as const, listQuery: '', ...fields };
      return { id: cellId(planned), ...planned };
    };
    const writes = commands.flatMap((name) => {
      const { entity, command } = splitCommand(name);
      return counts.flatMap((connections) => {
        const own = cell({ group: 'writes', entity, source: 'db', operation: command, connections });
        const floorCell = entity === floor.entity && command === floor.command ? [cell({ group: 'writes', entity, source: 'db', operation: command, connections, writeFloor: true })] : [];
        return [own, ...floorCell];
      });
    });
    return [...writes, cell({ group: 'mixed', entity: scenarios.mixed.reads[0]!, source: 'redis', operation: 'mixed', connections: scenarios.mixed.connections })];
  });
}

/**
 * The floor cells of the runtimes measured: every entity's get and page of 50, from MySQL and from Redis, so that
 * every matrix cell has the fraction of the achievable rate it reaches.
 */
export function planFloorCells(scenarios: Scenarios, options: PlanOptions): CellPlan[] {
  return FLOOR_NAMES.filter((floor) => options.runtimes.includes(FLOOR_RUNTIME[floor])).flatMap((floor) =>
    scenarios.entities.flatMap((entity) => (['db', 'redis'] as const).flatMap((source) => (['get', 'list'] as const).map((operation) => {
      const runtime = FLOOR_RUNTIME[floor];
      const cell = { ...plan('floor', runtime, entity, source, operation, defaultWorkers(runtime, options), 'default', scenarios.listQuery), floor };
      return { ...cell, id: cellId(cell) };
    }))));
}

/** Products get and page of 50 from Redis on uws and express, once per data-path setting, one after the other. */
export function planKnobCells(scenarios: Scenarios, options: PlanOptions): CellPlan[] {
  return KNOB_RUNTIMES.filter((runtime) => options.runtimes.includes(runtime)).flatMap((runtime) =>
    (['get', 'list'] as const).flatMap((operation) => DATA_PATH_KNOBS.map((knob) => {
      const cell = { ...plan('knobs', runtime, FLOOR_ENTITY, 'redis', operation, defaultWorkers(runtime, options), 'default', scenarios.listQuery), knob };
      return { ...cell, id: cellId(cell) };
    })));
}

/** The REDIS_PREFIX of the JSON-encoded read model: its own key space, so it never meets the msgpack one. */
export function jsonEncodingPrefix(redisPrefix: string): string {
  return `${redisPrefix}json:`;
}

/**
 * Depths (rows before the page) at which the scale step reads a list deeper than its first page: the deepest
 * offset the MySQL routes allow by default (DB_MAX_OFFSET), the middle and the last page.
 */
export function pageDepths(rows: number, limit: number, dbMaxOffset: number): number[] {
  const last = rows - limit;
  if (last <= 0) return [];
  return [...new Set([Math.min(dbMaxOffset, last), Math.floor(rows / 2), last])].filter((d) => d > 0 && d <= last).sort((a, b) => a - b);
}

/**
 * The scale cells for the data set loaded now (`rows` products): the same scenarios measured again at
 * another size, to see whether cost per request stays flat as the table grows; and, given the products' ids
 * in list order, each list read deeper (by offset and by cursor) to see what page depth costs.
 */
export function planScaleCells(scenarios: Scenarios, runtime: RuntimeName, workers: number, rows: number,
  depth?: { readonly ids: readonly number[]; readonly dbMaxOffset: number }): CellPlan[] {
  const scale = (source: Source, operation: Operation, listQuery: string, page?: CellPlan['page']): CellPlan => {
    const cell = { group: 'scale' as const, runtime, entity: 'products' as const, source, operation, workers, readMode: 'default' as const,
      listQuery: operation === 'list' ? listQuery : '', rows, ...(page ? { page } : {}) };
    return { id: cellId(cell), ...cell };
  };
  const cells = (['db', 'redis'] as const).flatMap((source) => (['get', 'list'] as const).map((operation) => scale(source, operation, scenarios.listQuery)));
  const limit = Number(/^limit=(\d+)$/.exec(scenarios.listQuery)?.[1]);
  if (!depth || !Number.isInteger(limit)) return cells;
  for (const source of ['db', 'redis'] as const) {
    for (const d of pageDepths(depth.ids.length, limit, depth.dbMaxOffset)) {
      cells.push(scale(source, 'list', `${scenarios.listQuery}&offset=${d}`, { by: 'offset', depth: d }));
      cells.push(scale(source, 'list', `${scenarios.listQuery}&after=${depth.ids[d - 1]}`, { by: 'after', depth: d }));
    }
  }
  return cells;
}

/**
 * The environment a cell's runtime needs; cells with equal environments share one runtime start. `redisPrefix`:
 * the configured REDIS_PREFIX, under which the JSON-encoding cells keep their own read model.
 */
export function runtimeEnv(cell: CellPlan, redisPrefix: string): Record<string, string> {
  const env: Record<string, string> = { PROJECTION_READS: cell.readMode };
  if (cell.group === 'knobs') {
    const pipelined = cell.knob === 'auto-pipelining' || cell.knob === 'both';
    const json = cell.knob === 'json-encoding' || cell.knob === 'both';
    env.REDIS_AUTO_PIPELINING = pipelined ? '1' : '0';
    env.PROJECTION_ENCODING = json ? 'json' : 'msgpack';
    if (json) env.REDIS_PREFIX = jsonEncodingPrefix(redisPrefix);
  }
  if (cell.runtime === 'fork') env.FORK_WORKERS = String(cell.workers);
  if (cell.group === 'persistent') env.FORK_PERSISTENT = '1';
  if (cell.runtime === 'uws') env.UWS_WORKERS = String(cell.workers);
  // Deep pages are measured past the MySQL routes' default bound, to show what the bound protects against.
  if (cell.group === 'scale' && cell.rows !== undefined) env.DB_MAX_OFFSET = String(cell.rows);
  return env;
}

// The targets, once: what each compares, its rule and threshold, where it applies and which section of RESULTS.md
// shows it. The analysis checks them, the report's scoreboard and README's generated block list them; nothing else
// states a target.
import type { Operation, RuntimeName } from '../results.js';

/** A section of RESULTS.md (its heading's anchor), where a target's figures are summed up. */
export type SectionId = 'server-models' | 'the-read-model' | 'floors' | 'latency-tails' | 'data-size-and-page-depth' | 'writes' | 'visibility-lag';

export interface Target {
  readonly id: string;
  /** A few words, for the scoreboard. */
  readonly name: string;
  /** The full statement, as the details name it. */
  readonly text: string;
  /** What the figure is, e.g. `redis req/s ÷ db req/s`. */
  readonly compares: string;
  /** `at-least`: the figure must be ≥ the threshold; `at-most`: ≤. */
  readonly rule: 'at-least' | 'at-most';
  readonly threshold: number;
  /** `×` for a ratio, else the figure's unit. */
  readonly unit: '×' | 'ms';
  /** Where it is checked: every check in the scope must pass. */
  readonly scope: string;
  readonly section: SectionId;
}

const t = <const T extends Target>(target: T): T => target;

export const PROJECTION_TARGET = t({
  id: 'projection-vs-mysql', name: 'projection reads ≥ 2× MySQL reads', text: 'projection reads ≥ 2× MySQL reads (get by id and page of 50)',
  compares: 'redis req/s ÷ db req/s', rule: 'at-least', threshold: 2, unit: '×', scope: 'every runtime × entity × operation of the matrix', section: 'the-read-model',
});
export const ORIGINAL_TARGET = t({
  id: 'default-vs-original', name: "default read path ≥ 10× the original's", text: "the default read path ≥ 10× the original's on lists",
  compares: 'default req/s ÷ original req/s', rule: 'at-least', threshold: 10, unit: '×', scope: 'every list measured in read modes', section: 'the-read-model',
});
export const BARE_UWS_TARGET = t({
  id: 'uws-vs-bare-uws', name: 'uws get ≥ 60% of bare uWS', text: 'uws serving a projection by id ≥ 60% of a bare uWS server answering a constant of the same size',
  compares: 'uws req/s ÷ bare uWS constant req/s', rule: 'at-least', threshold: 0.6, unit: '×', scope: 'uws products get from redis', section: 'floors',
});
export const FLAT_COST_TARGET = t({
  id: 'flat-cost', name: 'cost per request flat across data sizes', text: 'cost per request flat (±20%) from the smallest to the largest data set (slower ÷ faster req/s)',
  compares: 'slower ÷ faster req/s, smallest vs largest data set', rule: 'at-least', threshold: 0.8, unit: '×', scope: 'every scenario of the scale step', section: 'data-size-and-page-depth',
});
export const DEEP_PAGE_TARGET = t({
  id: 'deep-page', name: 'deepest allowed MySQL page within 20× the first', text: 'the deepest MySQL page allowed by default (DB_MAX_OFFSET) within 20× the cost of the first page (first ÷ deepest req/s)',
  compares: 'deepest allowed page req/s ÷ first page req/s', rule: 'at-least', threshold: 0.05, unit: '×', scope: 'MySQL by offset at the largest data size', section: 'data-size-and-page-depth',
});

interface FloorTarget extends Target {
  readonly runtime: RuntimeName;
  readonly persistent: boolean;
  readonly operations: readonly Operation[];
}
const floor = <const T extends FloorTarget>(target: T): T => target;

/** The targets against the floors (bench/floors/): what each runtime reaches of a server doing only the cell's work. */
export const FLOOR_TARGETS = [
  floor({
    id: 'uws-floor-get', name: 'uws get ≥ 0.95 of its floor', text: 'uws ≥ 0.95 of its floor (raw uWS, the same read) for products get from redis', compares: 'uws req/s ÷ raw uWS req/s',
    rule: 'at-least', threshold: 0.95, unit: '×', scope: 'products get from redis', section: 'floors', runtime: 'uws', persistent: false, operations: ['get'],
  }),
  floor({
    id: 'uws-floor-list', name: 'uws page ≥ 0.90 of its floor', text: 'uws ≥ 0.90 of its floor (raw uWS, the same read) for a page of 50 products from redis', compares: 'uws req/s ÷ raw uWS req/s',
    rule: 'at-least', threshold: 0.9, unit: '×', scope: 'a page of 50 products from redis', section: 'floors', runtime: 'uws', persistent: false, operations: ['list'],
  }),
  floor({
    id: 'express-floor', name: 'express ≥ 0.95 of its floor', text: 'express ≥ 0.95 of its floor (raw Express, the same read) for products get and a page of 50 from redis',
    compares: 'express req/s ÷ raw Express req/s', rule: 'at-least', threshold: 0.95, unit: '×', scope: 'products get and a page of 50 from redis', section: 'floors',
    runtime: 'express', persistent: false, operations: ['get', 'list'],
  }),
  floor({
    id: 'fork-floor', name: 'fork (persistent) ≥ 0.80 of its floor', text: 'fork with FORK_PERSISTENT=1 ≥ 0.80 of the minimal FPM-like pool floor',
    compares: 'fork (FORK_PERSISTENT=1) req/s ÷ FPM-like pool req/s', rule: 'at-least', threshold: 0.8, unit: '×', scope: 'products get and a page of 50 from each source', section: 'floors',
    runtime: 'fork', persistent: true, operations: ['get', 'list'],
  }),
] as const;

export const KNOB_TARGET = t({
  id: 'data-path-knob', name: 'best data-path knob ≥ 1.2× baseline',
  text: 'uws products get from redis ≥ 1.2× the baseline data path (no auto-pipelining, msgpack) with the best data-path setting (either knob, or both together), in the same run',
  compares: 'best setting req/s ÷ baseline req/s', rule: 'at-least', threshold: 1.2, unit: '×', scope: 'uws products get from redis', section: 'the-read-model',
});
/** p99 ≤ 3× p50: a tail within three times the median. */
export const TAIL_TARGET = t({
  id: 'tail', name: 'p99 ≤ 3× p50', text: 'p99 ≤ 3× p50 on every uws and express matrix cell',
  compares: 'p99 ÷ p50', rule: 'at-most', threshold: 3, unit: '×', scope: 'every uws and express matrix cell at 50 connections', section: 'latency-tails',
});
export const WRITE_GROWTH_TARGET = t({
  id: 'write-growth', name: 'writes at 16 connections ≥ 4× at 1', text: 'writes grow with connections: 16 connections ≥ 4× one connection (writes/s), per runtime and command',
  compares: 'writes/s at 16 ÷ at 1 connection', rule: 'at-least', threshold: 4, unit: '×', scope: 'every runtime and command', section: 'writes',
});
export const WRITE_PLATEAU_TARGET = t({
  id: 'write-plateau', name: 'writes at 64 connections not below 16', text: 'writes grow with connections: 64 connections not below 16 (writes/s), per runtime and command',
  compares: 'writes/s at 64 ÷ at 16 connections', rule: 'at-least', threshold: 1, unit: '×', scope: 'every runtime and command', section: 'writes',
});
export const WRITE_FLOOR_TARGET = {
  ...t({
    id: 'write-floor', name: 'writes ≥ 0.8 of the write floor', text: 'runtime ÷ write floor ≥ 0.8 at 64 connections (the write floor\'s command)',
    compares: 'runtime writes/s ÷ write floor writes/s', rule: 'at-least', threshold: 0.8, unit: '×', scope: 'every runtime at 64 connections', section: 'writes',
  }),
  connections: 64,
} as const;
export const READ_MODEL_TARGET = t({
  id: 'read-model-clean', name: 'read model clean after writes', text: 'after every write and mixed cell, make verify-projections is clean (clean checks ÷ checks)',
  compares: 'clean checks ÷ checks', rule: 'at-least', threshold: 1, unit: '×', scope: 'every write and mixed cell', section: 'writes',
});
/** With the asynchronous read model (INLINE_PROJECTION=0), at half the writer's maximum, nothing unseen. */
export const ASYNC_LAG_TARGET = {
  ...t({
    id: 'async-lag', name: 'async read model: lag p99 ≤ 50 ms', text: 'asynchronous read model (INLINE_PROJECTION=0), lag p99 ≤ 50 ms at 50% of the write maximum, nothing unseen',
    compares: 'p99 ms from acknowledgement to seen on another runtime', rule: 'at-most', threshold: 50, unit: 'ms', scope: 'every writer', section: 'visibility-lag',
  }),
  loadPct: 50,
} as const;

export const WRITE_TARGETS = [WRITE_GROWTH_TARGET, WRITE_PLATEAU_TARGET, WRITE_FLOOR_TARGET, READ_MODEL_TARGET] as const;

/** Every target, in the order the scoreboard lists them. */
export const TARGETS: readonly Target[] = [PROJECTION_TARGET, ORIGINAL_TARGET, BARE_UWS_TARGET, FLAT_COST_TARGET, DEEP_PAGE_TARGET, ...FLOOR_TARGETS, KNOB_TARGET,
  TAIL_TARGET, ...WRITE_TARGETS, ASYNC_LAG_TARGET];

export type TargetId = (typeof TARGETS)[number]['id'];

export function targetById(id: string): Target {
  const target = TARGETS.find((x) => x.id === id);
  if (!target) throw new Error(`no target ${id} (bench/report/targets.ts)`);
  return target;
}

// In what order the bench times its cells. On a 2-core machine a server's rate drifts by ±30% over minutes
// (the floors moved 45.9k → 61.9k req/s between two runs), so a ratio between two cells measured minutes apart
// is mostly drift. The cells a ratio is taken between — a runtime and its floors, the data-path settings of a
// cell — are therefore measured in turns: their servers run side by side (idle while another is timed), and
// round by round each cell gets one timed repeat, runtime then floor, A B A B, like `make compare-builds`.
import { runtimeEnv, type CellPlan } from './plan.js';

/** One server start and the cells it serves (cells with equal environments share one). */
export interface Start {
  /** Floor server name and environment, unique per start. */
  readonly key: string;
  readonly cells: readonly CellPlan[];
}

/** Starts measured together: their servers run at once and their cells' repeats alternate in rounds. */
export interface Family {
  readonly name: string;
  readonly starts: readonly Start[];
  /** The cells in the order of one round: each cell beside the cells it is compared with. */
  readonly turns: readonly { readonly start: Start; readonly cell: CellPlan }[];
}

/**
 * Which family a cell is measured in: a runtime's matrix with its floors (fork's floor with the persistent
 * cells when there are some: FORK_PERSISTENT=1 is what the FPM-like pool keeps alike), the data-path settings
 * of a runtime together; everything else alone with its own start.
 */
function familyOf(cell: CellPlan, startKey: string, persistentPlanned: boolean): string {
  if (cell.group === 'matrix') return cell.runtime;
  if (cell.group === 'persistent') return 'fork+persistent';
  if (cell.group === 'floor') return cell.runtime === 'fork' ? (persistentPlanned ? 'fork+persistent' : 'fork') : cell.runtime;
  if (cell.group === 'knobs') return `knobs:${cell.runtime}`;
  if (cell.group === 'writes') return `writes:${cell.runtime}`;
  if (cell.group === 'mixed') return `mixed:${cell.runtime}`;
  return startKey;
}

/** What is compared across the starts of a family: the same entity, source, operation (and page depth, connections). */
function slotOf(cell: CellPlan): string {
  return `${cell.entity}/${cell.source}/${cell.operation}?${cell.listQuery}@${cell.connections ?? ''}`;
}

/** The start key of a cell: which server, with which environment. */
export function startKey(cell: CellPlan, redisPrefix: string): string {
  return `${cell.floor ? `floor:${cell.floor}` : cell.writeFloor ? 'floor:write' : cell.runtime} ${JSON.stringify(runtimeEnv(cell, redisPrefix))}`;
}

/**
 * The families of a run, in the order their first cell was planned. Within a family, a round visits every
 * slot (entity, source, operation) in planned order, and in each slot every start in planned order: the
 * runtime first, then its floors.
 */
export function planTurns(cells: readonly CellPlan[], redisPrefix: string): Family[] {
  const persistentPlanned = cells.some((c) => c.group === 'persistent');
  const families = new Map<string, Map<string, CellPlan[]>>();
  for (const cell of cells) {
    const key = startKey(cell, redisPrefix);
    const family = familyOf(cell, key, persistentPlanned);
    const starts = families.get(family) ?? new Map<string, CellPlan[]>();
    families.set(family, starts);
    starts.set(key, [...(starts.get(key) ?? []), cell]);
  }
  return [...families].map(([name, byKey]) => {
    const starts: Start[] = [...byKey].map(([key, startCells]) => ({ key, cells: startCells }));
    const slots = [...new Set(starts.flatMap((s) => s.cells.map(slotOf)))];
    const turns = slots.flatMap((slot) => starts.flatMap((start) => start.cells.filter((c) => slotOf(c) === slot).map((cell) => ({ start, cell }))));
    return { name, starts, turns };
  });
}

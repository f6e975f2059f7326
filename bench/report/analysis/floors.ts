// Each runtime against a server doing only the cell's work (its floor), where its CPU goes (the profiles), what it
// adds over its floor, and the data path's knobs against their baseline.
import { BUSY_CATEGORIES, BOOTSTRAP_STAGES, type BootstrapStage, type Category } from '../../profile/attribution.js';
import { KNOB_RUNTIMES } from '../../plan.js';
import type { BenchResults, Cell, CellProfile, DataPathKnob, EntityName, FloorName, Operation, RuntimeName, Source } from '../../results.js';
import { matrixCell, OPERATIONS, ratioOf, roundRatios } from './common.js';

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
      overhead: ratioOf(cell?.summary.rps.median ?? null, floorRps), dataCost: ratioOf(floorRps, constant), roundRatios: roundRatios(cell, floorCell),
    }));
  });
}

export interface ProfileFinding {
  readonly profile: CellProfile;
  /** µs of sampled time per request, per busy category (idle left out), and their sum. */
  readonly perRequest: Readonly<Record<Category, number>>;
  readonly busyPerRequest: number;
  /** Idle as a share of all sampled time (every process and thread). */
  readonly idleShare: number;
  /** The busy categories by µs per request, largest first; empty when no request or no busy sample was recorded. */
  readonly ranked: readonly { readonly category: Category; readonly perRequest: number; readonly share: number }[];
  readonly largest: { readonly category: Category; readonly perRequest: number; readonly share: number } | null;
  /** fork: CPU µs per request per stage. */
  readonly stages: Readonly<Record<BootstrapStage, number>> | null;
}

export function profileFindings(results: Pick<BenchResults, 'profiles'>): ProfileFinding[] {
  return (results.profiles ?? []).map((profile) => {
    const requests = Math.max(1, profile.requests);
    const at = (c: string) => profile.categories[c] ?? 0;
    const perRequest = Object.fromEntries(BUSY_CATEGORIES.map((c) => [c, at(c) / requests])) as Record<Category, number>;
    const busy = BUSY_CATEGORIES.reduce((sum, c) => sum + at(c), 0);
    const all = busy + at('idle');
    const ranked = BUSY_CATEGORIES.map((c) => ({ category: c, perRequest: perRequest[c], share: busy > 0 ? at(c) / busy : 0 })).sort((a, b) => b.perRequest - a.perRequest);
    const largest = busy > 0 && profile.requests > 0 ? ranked[0]! : null;
    const stages = profile.stages ? Object.fromEntries(BOOTSTRAP_STAGES.map((s) => [s, (profile.stages![s] ?? 0) / requests])) as Record<BootstrapStage, number> : null;
    return { profile, perRequest, busyPerRequest: busy / requests, idleShare: all > 0 ? at('idle') / all : 0, ranked: largest ? ranked : [], largest, stages };
  });
}

/** A runtime's profile of a cell, not a floor's, not fork's persistent one. */
export function runtimeProfile(profiles: readonly ProfileFinding[], runtime: RuntimeName, source: Source, operation: Operation, entity?: EntityName): ProfileFinding | undefined {
  return profiles.find((f) => !f.profile.floor && !f.profile.persistent && f.profile.runtime === runtime && f.profile.source === source &&
    f.profile.operation === operation && (entity === undefined || f.profile.entity === entity));
}

export interface FloorGapFinding {
  readonly runtime: ProfileFinding;
  readonly floor: ProfileFinding;
  readonly persistent: boolean;
  /** Runtime µs per request − floor µs per request, per busy category, and in all. */
  readonly extra: Readonly<Record<Category, number>>;
  readonly extraPerRequest: number;
  /** The categories that grew, largest first. */
  readonly grown: readonly { readonly category: Category; readonly extra: number }[];
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
    return [{ runtime, floor, persistent, extra, extraPerRequest: runtime.busyPerRequest - floor.busyPerRequest, grown }];
  });
}

export interface KnobSetting {
  readonly knob: Exclude<DataPathKnob, 'baseline'>;
  readonly cell: Cell;
  /** req/s ÷ baseline req/s, and p99 ÷ baseline p99. */
  readonly ratio: number | null;
  readonly p99Ratio: number | null;
  /** req/s ÷ baseline req/s repeat by repeat, when the settings took turns (bench/turns.ts); null otherwise. */
  readonly roundRatios: readonly number[] | null;
}

export interface KnobFinding {
  readonly runtime: RuntimeName;
  readonly entity: EntityName;
  readonly operation: Operation;
  readonly baseline: Cell;
  readonly knobs: readonly KnobSetting[];
}

/** The `knobs` cells, each setting against the baseline of the same runtime and operation. */
export function knobFindings(results: BenchResults): KnobFinding[] {
  const knobCells = results.cells.filter((c) => c.group === 'knobs' && c.knob);
  const order = (c: Cell) => KNOB_RUNTIMES.indexOf(c.runtime) * 10 + OPERATIONS.indexOf(c.operation);
  return knobCells.filter((c) => c.knob === 'baseline').sort((a, b) => order(a) - order(b)).map((baseline) => ({
    runtime: baseline.runtime, entity: baseline.entity, operation: baseline.operation, baseline,
    knobs: knobCells.filter((c) => c.knob !== 'baseline' && c.runtime === baseline.runtime && c.entity === baseline.entity && c.operation === baseline.operation).map((cell) => ({
      knob: cell.knob as Exclude<DataPathKnob, 'baseline'>, cell,
      ratio: ratioOf(cell.summary.rps.median, baseline.summary.rps.median), p99Ratio: ratioOf(cell.summary.p99, baseline.summary.p99), roundRatios: roundRatios(cell, baseline),
    })),
  }));
}

// The targets (../targets.ts) checked on a run: one check per scope, with the figure, the cells it was judged on and
// whatever the profiles say about a miss. A check whose cells include a driver-bound cell is inconclusive.
import { driverBound, driverCeiling, type DriverBound } from '../../driverBound.js';
import type { Category } from '../../profile/attribution.js';
import type { BenchResults, Cell, DataPathKnob, EntityName, FloorName, Operation, RuntimeName, Source, WriteCommand } from '../../results.js';
import type { LagPoint } from '../../VisibilityLag.js';
import {
  ASYNC_LAG_TARGET, BARE_UWS_TARGET, DEEP_PAGE_TARGET, FLAT_COST_TARGET, FLOOR_TARGETS, KNOB_TARGET, ORIGINAL_TARGET, PROJECTION_TARGET, READ_MODEL_TARGET,
  TAIL_TARGET, WRITE_FLOOR_TARGET, WRITE_GROWTH_TARGET, WRITE_PLATEAU_TARGET, type Target,
} from '../targets.js';
import { matrixCell, SOURCES } from './common.js';
import { runtimeProfile, type FloorFinding, type FloorGapFinding, type KnobFinding, type ProfileFinding } from './floors.js';
import type { DepthFinding, ReadModeFinding, SourceRatioFinding } from './reads.js';
import { commandsOf, type CommandKey, type WriteFinding } from './writes.js';

/** Below this share of a runtime's CPU, garbage collection is not what makes a tail (a pause per scavenge is sub-ms). */
export const GC_TAIL_SHARE = 0.1;

export type CheckStatus = 'pass' | 'fail' | 'inconclusive' | 'not measured';

/** The figures a check's scope is told with, by kind of target. */
export type CheckDetail =
  | { readonly kind: 'bare-uws'; readonly rps: number; readonly constantRps: number; readonly bodyBytes: number; readonly workers: number }
  | { readonly kind: 'flat-cost'; readonly scenario: string; readonly smallRows: number; readonly smallRps: number; readonly largeRows: number; readonly largeRps: number }
  | { readonly kind: 'deep-page'; readonly rows: number; readonly depth: number; readonly maxOffset: number; readonly deepestRps: number; readonly firstRps: number }
  | {
    readonly kind: 'floor'; readonly runtime: RuntimeName; readonly persistent: boolean; readonly scenario: string; readonly floor: FloorName;
    readonly runtimeRps: number | null; readonly floorRps: number;
    /** When it fails and both were profiled: what the runtime spends beyond its floor. */
    readonly gap: { readonly extraPerRequest: number; readonly grown: readonly { readonly category: Category; readonly extra: number }[] } | null;
  }
  | {
    readonly kind: 'knob'; readonly knob: Exclude<DataPathKnob, 'baseline'>; readonly rps: number; readonly baselineRps: number;
    /** When it fails and the uws get was profiled: what each knob acts on, µs per request. */
    readonly profile: { readonly busyPerRequest: number; readonly decode: number; readonly driver: number; readonly largest: Category | null } | null;
  }
  | { readonly kind: 'tail'; readonly cell: string; readonly p50: number; readonly p99: number; readonly gc: { readonly share: number; readonly source: Source; readonly operation: Operation } | null }
  | { readonly kind: 'write-growth'; readonly command: CommandKey; readonly from: number; readonly to: number; readonly fromRps: number; readonly toRps: number;
      /** The write floor's own growth over the same step (its cells beside this command's), for scale: what this machine allows. */
      readonly floorGrowth: number | null }
  | { readonly kind: 'write-floor'; readonly command: CommandKey; readonly connections: number; readonly rps: number; readonly floorRps: number; readonly rounds: readonly number[] | null;
      /** Below the target, from the profiles of the command and the write floor: what the runtime adds per command. */
      readonly gap: { readonly extraPerRequest: number; readonly runtimePerRequest: number; readonly floorPerRequest: number; readonly grown: FloorGapFinding['grown'] } | null }
  | { readonly kind: 'read-model'; readonly clean: number; readonly total: number; readonly unclean: readonly { readonly after: string; readonly exitCode: number; readonly mismatches: number }[] }
  | { readonly kind: 'async-lag'; readonly writer: string; readonly unseen: number };

export interface TargetCheck {
  /** The target's id (targets.ts). */
  readonly target: string;
  /** What was checked, e.g. `uws products get`. */
  readonly subject: string;
  /** The figure: a ratio, or for an `at-most` target its unit's value. */
  readonly ratio: number | null;
  readonly threshold: number;
  readonly status: CheckStatus;
  readonly cells: readonly Cell[];
  readonly bound: { readonly cell: Cell; readonly reason: DriverBound } | null;
  readonly detail: CheckDetail | null;
}

type Judged = { readonly results: BenchResults; readonly cells: readonly (Cell | undefined)[] };

export function check(target: Target, subject: string, ratio: number | null, judged?: Judged, detail: CheckDetail | null = null, extraFailure = false): TargetCheck {
  const cells = (judged?.cells ?? []).filter((c): c is Cell => c !== undefined);
  const ceiling = judged ? driverCeiling(judged.results) : null;
  const bound = ratio === null ? undefined : cells.map((cell) => ({ cell, reason: driverBound(cell, ceiling) })).find((b) => b.reason !== null);
  const meets = ratio !== null && !extraFailure && (target.rule === 'at-least' ? ratio >= target.threshold : ratio <= target.threshold);
  const status: CheckStatus = ratio === null ? 'not measured' : bound ? 'inconclusive' : meets ? 'pass' : 'fail';
  return { target: target.id, subject, ratio, threshold: target.threshold, status, cells, bound: bound ? { cell: bound.cell, reason: bound.reason! } : null, detail };
}

function withDetail(checked: TargetCheck, detail: CheckDetail): TargetCheck {
  return { ...checked, detail };
}

export function projectionChecks(results: BenchResults, sources: readonly SourceRatioFinding[]): TargetCheck[] {
  return sources.map((f) => check(PROJECTION_TARGET, `${f.runtime} ${f.entity} ${f.operation}`, f.ratio,
    { results, cells: SOURCES.map((source) => matrixCell(results, f.runtime, f.entity, source, f.operation)) }));
}

export function originalChecks(results: BenchResults, readModes: readonly ReadModeFinding[]): TargetCheck[] {
  const lists = readModes.filter((f) => f.operation === 'list');
  if (lists.length === 0) return [check(ORIGINAL_TARGET, 'lists', null)];
  return lists.map((f) => check(ORIGINAL_TARGET, `${f.runtime} ${f.entity} list from ${f.source}`, f.overall.speedup,
    { results, cells: f.modes.filter((m) => m.mode === 'original' || m.mode === 'default').map((m) => m.cell) }));
}

/** uws products get from Redis against the bare uWS constant of the same run. */
export function bareUwsCheck(results: BenchResults): TargetCheck {
  const baseline = results.baselines?.uwsConstant;
  const cell = matrixCell(results, 'uws', 'products', 'redis', 'get');
  const subject = baseline && cell ? 'uws products get from redis' : 'uws products get from redis vs bare uWS';
  const ratio = baseline && cell && baseline.summary.rps.median > 0 ? cell.summary.rps.median / baseline.summary.rps.median : null;
  const detail: CheckDetail | null = baseline && cell
    ? { kind: 'bare-uws', rps: cell.summary.rps.median, constantRps: baseline.summary.rps.median, bodyBytes: baseline.bodyBytes, workers: baseline.workers } : null;
  return check(BARE_UWS_TARGET, subject, ratio, { results, cells: [cell] }, detail);
}

/** Each scenario of the `scale` cells: req/s at the smallest and at the largest data set. */
export function flatCostChecks(results: BenchResults): TargetCheck[] {
  const scale = results.cells.filter((c) => c.group === 'scale' && c.rows !== undefined && !c.page);
  const scenarios = [...new Set(scale.map((c) => `${c.runtime}/${c.entity}/${c.source}/${c.operation}`))];
  if (scenarios.length === 0) return [check(FLAT_COST_TARGET, 'pages and gets at several data sizes', null)];
  return scenarios.map((scenario) => {
    const points = scale.filter((c) => `${c.runtime}/${c.entity}/${c.source}/${c.operation}` === scenario).sort((a, b) => a.rows! - b.rows!);
    const [small, large] = [points[0]!, points[points.length - 1]!];
    const [a, b] = [small.summary.rps.median, large.summary.rps.median];
    const ratio = points.length < 2 || Math.max(a, b) === 0 ? null : Math.min(a, b) / Math.max(a, b);
    return check(FLAT_COST_TARGET, scenario, ratio, { results, cells: [small, large] },
      { kind: 'flat-cost', scenario, smallRows: small.rows!, smallRps: a, largeRows: large.rows!, largeRps: b });
  });
}

/** At the largest data size: the deepest offset the MySQL routes allow by default against their first page. */
export function deepPageCheck(results: BenchResults, findings: readonly DepthFinding[]): TargetCheck {
  const bound = results.settings.dbMaxOffset;
  const db = findings.filter((f) => f.source === 'db' && f.by === 'offset');
  const largest = db[db.length - 1];
  if (!largest || bound === undefined) return check(DEEP_PAGE_TARGET, 'MySQL pages by offset at several depths', null);
  const allowed = largest.points.filter((p) => p.depth <= bound);
  const deepest = allowed[allowed.length - 1]!;
  const first = largest.points[0]!;
  return check(DEEP_PAGE_TARGET, `MySQL by offset at ${largest.rows} rows`, deepest.depth === 0 ? null : 1 / deepest.cost, { results, cells: [first.cell, deepest.cell] },
    { kind: 'deep-page', rows: largest.rows, depth: deepest.depth, maxOffset: bound, deepestRps: deepest.rps, firstRps: first.rps });
}

/** The floor targets, on the cells of this run; below a target, the profiles say what the runtime spends beyond its floor. */
export function floorChecks(results: BenchResults, findings: readonly FloorFinding[], gaps: readonly FloorGapFinding[] = []): TargetCheck[] {
  return FLOOR_TARGETS.flatMap((target) => {
    const floor = target.runtime === 'uws' ? 'uws' : target.runtime === 'express' ? 'express' : 'fpm';
    const label = target.persistent ? `${target.runtime} (FORK_PERSISTENT=1)` : target.runtime;
    const scoped = findings.filter((f) => f.floor === floor && f.runtime === target.runtime && f.persistent === target.persistent &&
      f.entity === 'products' && (target.persistent || f.source === 'redis') && (target.operations as readonly Operation[]).includes(f.operation));
    if (scoped.length === 0) return [check(target, `${label} vs its floor`, null)];
    return scoped.map((f) => {
      const scenario = `${f.entity}/${f.source}/${f.operation}`;
      const checked = check(target, `${label} ${scenario}`, f.overhead, { results, cells: [f.runtimeCell, f.floorCell] });
      const gap = gaps.find((g) => g.floor.profile.floor === f.floor && g.persistent === f.persistent && g.runtime.profile.runtime === f.runtime &&
        g.runtime.profile.entity === f.entity && g.runtime.profile.source === f.source && g.runtime.profile.operation === f.operation);
      const explained = checked.status === 'fail' && gap && gap.grown.length > 0;
      return withDetail(checked, {
        kind: 'floor', runtime: f.runtime, persistent: f.persistent, scenario, floor: f.floor, runtimeRps: f.runtimeCell?.summary.rps.median ?? null,
        floorRps: f.floorCell.summary.rps.median, gap: explained ? { extraPerRequest: gap.extraPerRequest, grown: gap.grown.slice(0, 2) } : null,
      });
    });
  });
}

/** uws products get with the best knob against the baseline; below the target, what of a request each knob acts on. */
export function knobCheck(results: BenchResults, findings: readonly KnobFinding[], profiles: readonly ProfileFinding[] = []): TargetCheck {
  const get = findings.find((f) => f.runtime === 'uws' && f.entity === 'products' && f.operation === 'get');
  const best = get?.knobs.filter((k) => k.ratio !== null).reduce<KnobFinding['knobs'][number] | undefined>((a, b) => (!a || b.ratio! > a.ratio! ? b : a), undefined);
  if (!get || !best) return check(KNOB_TARGET, 'uws products get from redis, data-path knobs', null);
  const checked = check(KNOB_TARGET, 'uws products get from redis', best.ratio, { results, cells: [get.baseline, best.cell] });
  const profile = runtimeProfile(profiles, 'uws', 'redis', 'get', 'products');
  const explained = checked.status === 'fail' && profile && profile.busyPerRequest > 0;
  const part = (categories: readonly Category[]) => categories.reduce((sum, c) => sum + profile!.perRequest[c], 0);
  return withDetail(checked, {
    kind: 'knob', knob: best.knob, rps: best.cell.summary.rps.median, baselineRps: get.baseline.summary.rps.median,
    profile: explained ? { busyPerRequest: profile.busyPerRequest, decode: part(['msgpack', 'json']), driver: part(['redis']), largest: profile.largest?.category ?? null } : null,
  });
}

/** p99 against p50 on every uws and express matrix cell: where a tail fails, the runtime's GC share says whether GC is a cause. */
export function tailChecks(results: BenchResults, profiles: readonly ProfileFinding[]): TargetCheck[] {
  const cells = results.cells.filter((c) => c.group === 'matrix' && (c.runtime === 'uws' || c.runtime === 'express') && (c.connections ?? results.settings.connections) === 50);
  if (cells.length === 0) return [check(TAIL_TARGET, 'uws and express at 50 connections', null)];
  return cells.map((cell) => {
    const { p50, p99 } = cell.summary;
    const ratio = p50 > 0 ? p99 / p50 : null;
    const profile = ratio !== null && ratio > TAIL_TARGET.threshold ? runtimeProfile(profiles, cell.runtime, cell.source, cell.operation) : undefined;
    const gc = profile && profile.busyPerRequest > 0 ? { share: profile.perRequest.gc / profile.busyPerRequest, source: cell.source, operation: cell.operation } : null;
    return check(TAIL_TARGET, cell.id, ratio, { results, cells: [cell] }, { kind: 'tail', cell: cell.id, p50, p99, gc });
  });
}

export function writeChecks(results: BenchResults, findings: readonly WriteFinding[], gaps: readonly FloorGapFinding[] = []): TargetCheck[] {
  const at = (k: CommandKey, connections: number) => findings.find((f) => f.runtime === k.runtime && f.entity === k.entity && f.command === k.command && f.connections === connections);
  const name = (k: { runtime: RuntimeName; entity: EntityName; command: WriteCommand }) => `${k.runtime} ${k.entity} ${k.command}`;
  const growth = (target: Target, from: number, to: number): TargetCheck[] => {
    const scoped = commandsOf(results, findings).filter((k) => at(k, from) && at(k, to));
    if (scoped.length === 0) return [check(target, `writes at ${from} and ${to} connections`, null)];
    return scoped.map((k) => {
      const [a, b] = [at(k, from)!.cell, at(k, to)!.cell];
      const [floorA, floorB] = [at(k, from)!.floorCell, at(k, to)!.floorCell];
      const floorGrowth = floorA && floorB && floorA.summary.rps.median > 0 ? floorB.summary.rps.median / floorA.summary.rps.median : null;
      return check(target, name(k), a.summary.rps.median > 0 ? b.summary.rps.median / a.summary.rps.median : null, { results, cells: [a, b] },
        { kind: 'write-growth', command: k, from, to, fromRps: a.summary.rps.median, toRps: b.summary.rps.median, floorGrowth });
    });
  };
  const floored = findings.filter((f) => f.floorCell && f.connections === WRITE_FLOOR_TARGET.connections);
  const floor = floored.length === 0
    ? [check(WRITE_FLOOR_TARGET, 'each runtime against the write floor', null)]
    : floored.map((f) => {
      const checked = check(WRITE_FLOOR_TARGET, `${name(f)} at ${f.connections} connections`, f.floorRatio, { results, cells: [f.cell, f.floorCell] });
      const gap = gaps.find((g) => g.floor.profile.floor === 'write' && g.runtime.profile.runtime === f.runtime && g.runtime.profile.entity === f.entity &&
        g.runtime.profile.operation === f.command);
      return withDetail(checked, {
        kind: 'write-floor', command: { runtime: f.runtime, entity: f.entity, command: f.command }, connections: f.connections, rps: f.cell.summary.rps.median,
        floorRps: f.floorCell!.summary.rps.median, rounds: f.floorRounds,
        gap: checked.status === 'fail' && gap ? { extraPerRequest: gap.extraPerRequest, runtimePerRequest: gap.runtime.busyPerRequest, floorPerRequest: gap.floor.busyPerRequest, grown: gap.grown.slice(0, 3) } : null,
      });
    });
  const checks = results.readModelChecks ?? [];
  const clean = checks.filter((c) => c.exitCode === 0).length;
  const readModel = check(READ_MODEL_TARGET, 'the read model after the write cells', checks.length === 0 ? null : clean / checks.length, undefined, checks.length === 0 ? null : {
    kind: 'read-model', clean, total: checks.length, unclean: checks.filter((c) => c.exitCode !== 0).map((c) => ({ after: c.after, exitCode: c.exitCode, mismatches: c.mismatches })),
  });
  return [...growth(WRITE_GROWTH_TARGET, 1, 16), ...growth(WRITE_PLATEAU_TARGET, 16, 64), ...floor, readModel];
}

/** With the asynchronous read model, p99 visibility lag at the target's share of the write maximum, nothing unseen. */
export function asyncLagChecks(points: readonly LagPoint[]): TargetCheck[] {
  const measured = points.filter((p) => p.mode === 'async' && p.loadPct === ASYNC_LAG_TARGET.loadPct);
  if (measured.length === 0) return [check(ASYNC_LAG_TARGET, 'the asynchronous read model', null)];
  return measured.map((p) => check(ASYNC_LAG_TARGET, p.writer, p.lagMs.p99, undefined, { kind: 'async-lag', writer: p.writer, unseen: p.unseen }, p.unseen > 0));
}

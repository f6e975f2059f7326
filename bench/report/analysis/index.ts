// analyse(results) → findings: every figure the report tells, as typed numbers and no prose. The report's sections,
// its verdict and README's generated block are written from these; `findingsJson` is what is kept beside the results.
import type { BenchResults, Cell, RuntimeName } from '../../results.js';
import { TARGETS } from '../targets.js';
import {
  asyncLagChecks, bareUwsCheck, deepPageCheck, flatCostChecks, floorChecks, knobCheck, originalChecks, projectionChecks, tailChecks, writeChecks, type TargetCheck,
} from './checks.js';
import { runtimesOf } from './common.js';
import { floorFindings, floorGapFindings, knobFindings, profileFindings, type FloorFinding, type FloorGapFinding, type KnobFinding, type ProfileFinding } from './floors.js';
import { knobVerdict, type KnobVerdict } from './knobs.js';
import {
  cursorFindings, depthFindings, failedCells, loadGeneratorFinding, persistentFindings, readModeFindings, runtimeRatios, sourceRatios, sweepFindings,
  type CellFailures, type CursorFinding, type DepthFinding, type LoadGeneratorFinding, type PersistentFinding, type ReadModeFinding, type RuntimeRatioFinding,
  type SourceRatioFinding, type SweepFinding,
} from './reads.js';
import { writeFindings, type WriteFinding } from './writes.js';

export interface TargetOutcome {
  readonly target: string;
  readonly status: 'pass' | 'fail' | 'inconclusive' | 'not measured';
  readonly checks: number;
  readonly passed: number;
  readonly failed: number;
  readonly inconclusive: number;
  /** The check furthest on the wrong side of the threshold (the lowest figure of an at-least target), or null. */
  readonly worst: TargetCheck | null;
}

export interface Findings {
  readonly runtimes: readonly RuntimeName[];
  readonly failures: readonly CellFailures[];
  readonly sourceRatios: readonly SourceRatioFinding[];
  readonly runtimeRatios: readonly RuntimeRatioFinding[];
  readonly sweep: readonly SweepFinding[];
  readonly readModes: readonly ReadModeFinding[];
  readonly depth: readonly DepthFinding[];
  readonly cursor: readonly CursorFinding[];
  readonly persistent: readonly PersistentFinding[];
  readonly floors: readonly FloorFinding[];
  readonly profiles: readonly ProfileFinding[];
  readonly floorGaps: readonly FloorGapFinding[];
  readonly knobs: readonly KnobFinding[];
  readonly knobVerdict: KnobVerdict;
  readonly writes: readonly WriteFinding[];
  readonly mixed: readonly Cell[];
  readonly loadGenerator: LoadGeneratorFinding;
  /** Every check, in the order of the targets' catalogue. */
  readonly checks: readonly TargetCheck[];
  /** One per target of the catalogue: the scoreboard. */
  readonly outcomes: readonly TargetOutcome[];
}

export function analyse(results: BenchResults): Findings {
  const sources = sourceRatios(results);
  const readModes = readModeFindings(results);
  const depth = depthFindings(results);
  const floors = floorFindings(results);
  const profiles = profileFindings(results);
  const floorGaps = floorGapFindings(profiles);
  const knobs = knobFindings(results);
  const writes = writeFindings(results);
  const unordered = [...projectionChecks(results, sources), ...originalChecks(results, readModes), bareUwsCheck(results), ...flatCostChecks(results),
    deepPageCheck(results, depth), ...floorChecks(results, floors, floorGaps), knobCheck(results, knobs, profiles), ...tailChecks(results, profiles),
    ...writeChecks(results, writes, floorGaps), ...asyncLagChecks(results.visibilityLag?.points ?? [])];
  const checks = TARGETS.flatMap((target) => unordered.filter((c) => c.target === target.id));
  return {
    runtimes: runtimesOf(results), failures: failedCells(results), sourceRatios: sources, runtimeRatios: runtimeRatios(results), sweep: sweepFindings(results),
    readModes, depth, cursor: cursorFindings(depth), persistent: persistentFindings(results), floors, profiles, floorGaps, knobs,
    knobVerdict: knobVerdict(knobs, results.settings), writes, mixed: results.cells.filter((c) => c.group === 'mixed'), loadGenerator: loadGeneratorFinding(results),
    checks, outcomes: TARGETS.map((target) => outcomeOf(target.id, target.rule, checks.filter((c) => c.target === target.id))),
  };
}

function outcomeOf(target: string, rule: 'at-least' | 'at-most', checks: readonly TargetCheck[]): TargetOutcome {
  const measured = checks.filter((c) => c.status !== 'not measured');
  const count = (status: TargetCheck['status']) => measured.filter((c) => c.status === status).length;
  const [passed, failed, inconclusive] = [count('pass'), count('fail'), count('inconclusive')];
  const worse = (a: TargetCheck, b: TargetCheck) => (rule === 'at-least' ? b.ratio! < a.ratio! : b.ratio! > a.ratio!);
  // A miss outranks a driver-bound check: an unflagged cell below the line is a miss whatever the others measured.
  const status = measured.length === 0 ? 'not measured' : failed > 0 ? 'fail' : inconclusive > 0 ? 'inconclusive' : 'pass';
  const candidates = failed > 0 ? measured.filter((c) => c.status === 'fail') : measured;
  const worst = candidates.reduce<TargetCheck | null>((a, b) => (!a || worse(a, b) ? b : a), null);
  return { target, status, checks: measured.length, passed, failed, inconclusive, worst };
}

/** The findings as kept beside the results: a cell or a profile is named by its id (the results file holds the rest). */
export function findingsJson(findings: Findings): string {
  return `${JSON.stringify(findings, (key, value: unknown) => {
    if (value && typeof value === 'object' && 'id' in value && ('summary' in value || 'categories' in value)) return (value as { id: string }).id;
    if (typeof value === 'number' && !Number.isFinite(value)) return null;
    return value;
  }, 2)}\n`;
}

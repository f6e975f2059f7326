// The target checks in words: each check's scope with its figures, the scoreboard's cells, one line per target.
import { describeDriverBound } from '../../driverBound.js';
import { cellText, formatMs, formatNumber, formatRange, formatRatio, formatRps, formatShare } from '../../format.js';
import { CATEGORY_LABELS } from '../../profile/attribution.js';
import type { TargetOutcome } from '../analysis/index.js';
import { GC_TAIL_SHARE, type TargetCheck } from '../analysis/checks.js';
import { operationName } from '../analysis/common.js';
import { targetById, type Target } from '../targets.js';
import { FLOOR_LABELS, KNOB_LABELS, runtimeLabel } from './floors.js';

export const STATUS_MARKS = { pass: '✓', fail: '✗', inconclusive: '⚠', 'not measured': '–' } as const;
export const STATUS_WORDS = { pass: '✅ pass', fail: '❌ fail', inconclusive: '⚠ inconclusive (driver-bound)', 'not measured': 'not measured' } as const;

/** A check's figure in its target's unit: a ratio (×) or milliseconds. */
export function figureText(target: Target, figure: number): string {
  return target.unit === 'ms' ? `${formatMs(figure)} ms` : formatRatio(figure);
}

/** What a target needs: its rule's sign and its threshold in its unit. */
export function thresholdText(target: Target): string {
  return `${target.rule === 'at-least' ? '≥' : '≤'} ${figureText(target, target.threshold)}`;
}

/** What a check covered, with the figures it was judged on and, below its target, what the profiles say. */
export function scopeText(check: TargetCheck): string {
  const d = check.detail;
  if (!d) return check.subject;
  switch (d.kind) {
    case 'bare-uws':
      return `${check.subject} ${formatRps(d.rps)} req/s vs bare uWS ${formatRps(d.constantRps)} req/s (${d.bodyBytes} bytes, ${d.workers} workers)`;
    case 'flat-cost':
      return `${d.scenario}: ${formatNumber(d.smallRows)} rows ${formatRps(d.smallRps)} req/s → ${formatNumber(d.largeRows)} rows ${formatRps(d.largeRps)} req/s`;
    case 'deep-page':
      return `MySQL by offset at ${formatNumber(d.rows)} rows, offset ${formatNumber(d.depth)} (DB_MAX_OFFSET ${formatNumber(d.maxOffset)}): ${formatRps(d.deepestRps)} vs first page ${formatRps(d.firstRps)} req/s`;
    case 'floor':
      return `${runtimeLabel(d)} ${d.scenario}: ${d.runtimeRps === null ? '–' : formatRps(d.runtimeRps)} vs ${FLOOR_LABELS[d.floor]} ${formatRps(d.floorRps)} req/s` +
        (d.gap ? `; profiled, it spends ${formatNumber(d.gap.extraPerRequest)} µs more per request than its floor, most in ` +
          `${d.gap.grown.map((g) => `${CATEGORY_LABELS[g.category]} (+${formatNumber(g.extra, 1)})`).join(' and ')}` : '');
    case 'knob': {
      const p = d.profile;
      const pct = (us: number) => (p ? formatShare(us / p.busyPerRequest) : '');
      return `${check.subject}: ${KNOB_LABELS[d.knob]} ${formatRps(d.rps)} vs baseline ${formatRps(d.baselineRps)} req/s` + (p
        ? `; profiled, a uws get spends ${formatNumber(p.busyPerRequest)} µs per request: ${CATEGORY_LABELS.msgpack} and ${CATEGORY_LABELS.json} ${formatNumber(p.decode, 1)} µs ` +
          `(${pct(p.decode)}, what JSON encoding removes), ${CATEGORY_LABELS.redis} ${formatNumber(p.driver, 1)} µs (${pct(p.driver)}, what auto-pipelining batches into fewer ` +
          `writes and reads); the largest part is ${p.largest ? CATEGORY_LABELS[p.largest] : '–'}` : '');
    }
    case 'tail':
      return `${d.cell}: p50 ${formatMs(d.p50)} ms, p99 ${formatMs(d.p99)} ms (${d.p50 > 0 ? formatRatio(d.p99 / d.p50) : '–'} p50)` + (d.gc
        ? `; garbage collection ${formatNumber(d.gc.share * 100)}% of this runtime's CPU on products ${operationName(d.gc.operation)} from ${d.gc.source}` +
          (d.gc.share < GC_TAIL_SHARE ? ': too little to make this tail' : ': a likely part of this tail') : '');
    case 'write-growth':
      return `${check.subject}: ${formatRps(d.toRps)} writes/s at ${d.to} vs ${formatRps(d.fromRps)} at ${d.from}` +
        (d.floorGrowth === null ? '' : `; the write floor grew ${formatRatio(d.floorGrowth)} over the same step on this machine`);
    case 'write-floor':
      return `${check.subject}: ${formatRps(d.rps)} vs write floor ${formatRps(d.floorRps)} writes/s` + (d.rounds ? ` (rounds ${formatRange(d.rounds)})` : '') + (d.gap
        ? `; profiled, a command takes ${formatNumber(d.gap.runtimePerRequest)} µs of CPU against ${formatNumber(d.gap.floorPerRequest)} on the write floor, ` +
          `the most added by ${d.gap.grown.map((x) => `${CATEGORY_LABELS[x.category]} (+${formatNumber(x.extra)} µs)`).join(', ')}` : '');
    case 'read-model':
      return `${d.clean} of ${d.total} checks clean` + (d.unclean.length > 0
        ? `; not after ${d.unclean.map((c) => `${c.after} (${c.exitCode === 1 ? `${formatNumber(c.mismatches)} mismatches` : `verifier exit ${c.exitCode}`})`).join(', ')}` : '');
    case 'async-lag':
      return `${d.writer}: p99 ${formatMs(check.ratio ?? 0)} ms, ${d.unseen} unseen`;
  }
}

export function checkSentence(check: TargetCheck): string {
  const target = targetById(check.target);
  const scope = scopeText(check);
  if (check.ratio === null) return `${scope}: ${target.text} — not measured.`;
  const against = `${figureText(target, check.ratio)} against ${thresholdText(target)}`;
  return check.bound
    ? `${scope}: ${against}, inconclusive: ${check.bound.cell.id} is driver-bound (${describeDriverBound(check.bound.reason)}).`
    : `${scope}: ${against}, ${check.status}.`;
}

/** One line per target, e.g. for the details' conclusions: how many checks pass, which fall below. */
export function targetLine(outcome: TargetOutcome, checks: readonly TargetCheck[]): string {
  const target = targetById(outcome.target);
  if (outcome.checks === 0) return `Target "${target.text}": not measured.`;
  const mine = checks.filter((c) => c.target === outcome.target);
  const failed = mine.filter((c) => c.status === 'fail');
  const inconclusive = mine.filter((c) => c.status === 'inconclusive');
  return `Target "${target.text}": ${outcome.passed} of ${outcome.checks} checks pass` +
    (failed.length > 0 ? `; below it: ${failed.map((c) => `${scopeText(c)} (${figureText(target, c.ratio ?? 0)})`).join(', ')}` : '') +
    (inconclusive.length > 0 ? `; inconclusive (driver-bound): ${inconclusive.map((c) => scopeText(c)).join(', ')}` : '') + '.';
}

/** The scoreboard's figure: the worst check's figure and where, and how many checks pass. */
export function outcomeFigure(outcome: TargetOutcome): string {
  const target = targetById(outcome.target);
  if (!outcome.worst || outcome.worst.ratio === null) return 'not measured';
  const where = outcome.checks > 1 ? ` (worst: ${cellText(outcome.worst.subject)})` : '';
  return `${figureText(target, outcome.worst.ratio)}${where}; ${outcome.passed} of ${outcome.checks} pass`;
}

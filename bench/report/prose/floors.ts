// Sentences about the floors, the profiles and the data path's knobs, written from their findings.
import { formatNumber, formatRatio, formatRps, formatShare } from '../../format.js';
import { BOOTSTRAP_LABELS, BOOTSTRAP_STAGES, CATEGORY_LABELS } from '../../profile/attribution.js';
import type { DataPathKnob, FloorName, Operation, RuntimeName, Source } from '../../results.js';
import type { TargetCheck } from '../analysis/checks.js';
import { median, OPERATIONS, operationName, scenarioName } from '../analysis/common.js';
import { runtimeProfile, type FloorFinding, type FloorGapFinding, type KnobFinding, type ProfileFinding } from '../analysis/floors.js';
import { ENCODING_SWITCH_RATIO, KNOB_TAIL_TOLERANCE, type KnobVerdict } from '../analysis/knobs.js';
import { PROJECTION_TARGET } from '../targets.js';

/** How the report names a floor. */
export const FLOOR_LABELS: Readonly<Record<FloorName, string>> = { uws: 'raw uWS', 'node-http': 'raw node:http', express: 'raw Express', fpm: 'FPM-like pool' };
/** The floor a profile was taken of: a read floor, or the write floor (bench/floors/write.ts). */
const profileFloorLabel = (floor: FloorName | 'write') => (floor === 'write' ? 'write floor (node:http and mysql2, the same transaction)' : `${FLOOR_LABELS[floor]} floor`);
const FLOOR_ORDER: readonly FloorName[] = ['uws', 'node-http', 'express', 'fpm'];

export const KNOB_LABELS: Readonly<Record<DataPathKnob, string>> = {
  baseline: 'baseline (no auto-pipelining, msgpack)', 'auto-pipelining': 'REDIS_AUTO_PIPELINING=1', 'json-encoding': 'PROJECTION_ENCODING=json', both: 'both together',
};

export function runtimeLabel(f: { readonly runtime: RuntimeName; readonly persistent: boolean }): string {
  return f.persistent ? `${f.runtime} (FORK_PERSISTENT=1)` : f.runtime;
}

/** e.g. `uws products page of 50`. */
export function knobCellName(f: Pick<KnobFinding, 'runtime' | 'entity' | 'operation'>): string {
  return `${f.runtime} ${f.entity} ${operationName(f.operation)}`;
}

export function floorSentences(findings: readonly FloorFinding[]): string[] {
  if (findings.length === 0) return ['Floors (a minimal server doing only the cell\'s work, per server model): not measured.'];
  const own = findings.filter((f) => f.floor !== 'node-http');
  const sentences = [...new Set(own.map((f) => runtimeLabel(f)))].map((label) => {
    const mine = own.filter((f) => runtimeLabel(f) === label && f.overhead !== null);
    if (mine.length === 0) return `${label}: no cell to compare with its floor.`;
    return `${label} reaches ${mine.map((f) => `${formatRatio(f.overhead!)} (${scenarioName(f)})`).join(', ')} of its floor (${FLOOR_LABELS[mine[0]!.floor]} doing the same read): ` +
      `the framework and the application cost ${formatNumber(Math.max(0, (1 - median(mine.map((f) => f.overhead!))) * 100))}% of the achievable rate (median).`;
  });
  const byFloor = FLOOR_ORDER.flatMap((floor) => {
    const cells = [...new Map(findings.filter((f) => f.floor === floor && f.dataCost !== null).map((f) => [f.floorCell.id, f])).values()];
    return cells.length === 0 ? [] : [`${FLOOR_LABELS[floor]} floor ÷ bare uWS constant: ${cells.map((f) => `${formatRatio(f.dataCost!)} (${scenarioName(f)})`).join(', ')} — what the read itself costs on that server model.`];
  });
  return [...sentences, ...byFloor];
}

export function profileSentence(f: ProfileFinding): string {
  const { profile, largest } = f;
  const what = profile.floor ? `${profileFloorLabel(profile.floor)} (of ${profile.runtime}), ${scenarioName(profile)}` : `${runtimeLabel({ runtime: profile.runtime, persistent: profile.persistent ?? false })}, ${scenarioName(profile)}`;
  if (!largest) return `${what}: profiled, but no request or no busy sample was recorded.`;
  const idle = f.idleShare;
  let sentence = `${what}: ${formatNumber(f.busyPerRequest)} µs of profiled time per request over ${profile.profiles} process${profile.profiles === 1 ? '' : 'es and threads'}; ` +
    `the largest category is ${CATEGORY_LABELS[largest.category]} (${formatNumber(largest.perRequest)} µs, ${formatShare(largest.share)}), then ` +
    `${f.ranked.slice(1, 3).map((r) => `${CATEGORY_LABELS[r.category]} (${formatNumber(r.perRequest)} µs, ${formatShare(r.share)})`).join(' and ')}; idle ${formatShare(idle)} of the sampled time.`;
  if (f.stages) sentence += ` Per request, in CPU µs: ${BOOTSTRAP_STAGES.map((s) => `${BOOTSTRAP_LABELS[s]} ${formatNumber(f.stages![s])}`).join(', ')}.`;
  return sentence;
}

export function floorGapSentence(g: FloorGapFinding): string {
  return `${runtimeLabel({ runtime: g.runtime.profile.runtime, persistent: g.persistent })} ${scenarioName(g.runtime.profile)}: ${formatNumber(g.runtime.busyPerRequest)} µs per request against ` +
    `${formatNumber(g.floor.busyPerRequest)} on its floor (${g.floor.profile.floor === 'write' ? 'the write floor' : FLOOR_LABELS[g.floor.profile.floor!]}), ${g.extraPerRequest >= 0 ? '+' : '−'}${formatNumber(Math.abs(g.extraPerRequest))} µs; ` +
    (g.grown.length === 0 ? 'no category grew.' : `the most added by ${g.grown.slice(0, 3).map((x) => `${CATEGORY_LABELS[x.category]} (+${formatNumber(x.extra, 1)} µs)`).join(', ')}.`);
}

/**
 * Why msgpack stays the default although JSON serves more somewhere: the gains are this run's; what JSON costs in
 * Redis memory is measured apart (docs/application.md "Projection encoding"), not in a results file.
 */
function encodingDecision(verdict: NonNullable<KnobVerdict['encoding']>): string {
  const gains = [verdict.listMedian !== null ? `pages ${formatRatio(verdict.listMedian)}` : '', verdict.getMedian !== null ? `gets ${formatRatio(verdict.getMedian)}` : '']
    .filter(Boolean).join(', ');
  return `msgpack is kept as the default. What JSON saves is the decode and the JSON.stringify of the request path (median gain in this run: ${gains}); ` +
    'the price is a read model that stores the HTTP answer rather than the data: more Redis memory (measured with MEMORY USAGE on the seeded set, docs/application.md "Projection encoding"), ' +
    'every change of the answer\'s JSON a full rebuild, and every other reader parsing text. Set PROJECTION_ENCODING=json (with a REDIS_PREFIX of its own) where the page rate matters more.';
}

/** What the knobs did, and the defaults that follow (analysis/knobs.ts decides; these say it). */
export function knobSentences(findings: readonly KnobFinding[], verdict: KnobVerdict): string[] {
  if (findings.length === 0) return ["The data path's knobs (auto-pipelining, JSON encoding): not measured."];
  const sentences = findings.map((f) => `${knobCellName(f)}: ` +
    `${f.knobs.map((k) => `${KNOB_LABELS[k.knob]} ${k.ratio === null ? '–' : formatRatio(k.ratio)}`).join(', ')} the baseline's rate ` +
    `(baseline ${formatRps(f.baseline.summary.rps.median)} req/s).`);
  const { pipelining: p, encoding: e, both: b } = verdict;
  if (p) {
    const tail = p.worstTail?.ratio ?? 1;
    const on = p.onByDefault;
    sentences.push(`Auto-pipelining: median ${formatRatio(p.median)} the baseline's rate over ${p.cells} cells (${p.faster} faster), ` +
      `p99 at worst ${formatRatio(tail)} the baseline's${p.worstTail ? ` (${knobCellName(p.worstTail.finding)})` : ''}, so it ${p.wins ? 'wins' : p.median > 1 ? `does not win (its p99 is above ${formatRatio(KNOB_TAIL_TOLERANCE)} the baseline's there)` : 'does not win'}; ` +
      `REDIS_AUTO_PIPELINING is ${on === undefined ? 'not recorded' : on ? 'on' : 'off'} by default in this run` +
      `${on === undefined || on === p.wins ? '.' : ` — ${p.wins ? 'off although it wins' : 'on although it loses'}: the default no longer matches the numbers.`}`);
  }
  if (e) {
    sentences.push(`JSON encoding: ${formatRatio(e.median)} the baseline (median of ${e.cells} cells), best ${formatRatio(e.best.ratio)} on ${knobCellName(e.best.finding)}; ` +
      (e.beyond.length === 0
        ? `nowhere above ${formatRatio(ENCODING_SWITCH_RATIO)}, so msgpack stays the default stored format.`
        : `above ${formatRatio(ENCODING_SWITCH_RATIO)} on ${e.beyond.map((r) => knobCellName(r.finding)).join(', ')}: ${encodingDecision(e)}`));
  }
  if (b) {
    sentences.push(`Both together: ${formatRatio(b.median)} the baseline (median of ${b.cells} ${b.cells === 1 ? 'cell' : 'cells'}), best ${formatRatio(b.best.ratio)} on ${knobCellName(b.best.finding)}` +
      (b.gain !== null ? `; ${formatRatio(b.gain)} the better of the two alone (median): ${b.addUp ? 'they add up' : 'they do not add up'}` : '') +
      (b.tailMedian !== null ? `; p99 ${formatRatio(b.tailMedian)} the baseline's (median).` : '.'));
  }
  return sentences;
}

/**
 * Why a runtime misses "projection ≥ 2× MySQL": its profiles of products get from each source side by side — what
 * both pay (the largest category of the Redis read) against what the source changes (the difference in all).
 */
export function projectionShortfallSentences(runtimes: readonly RuntimeName[], checks: readonly TargetCheck[], profiles: readonly ProfileFinding[]): string[] {
  return runtimes.flatMap((runtime) => {
    const failed = checks.filter((t) => t.target === PROJECTION_TARGET.id && t.status === 'fail' && t.subject.startsWith(`${runtime} `));
    if (failed.length === 0) return [];
    const of = (source: Source, operation: Operation) => runtimeProfile(profiles, runtime, source, operation);
    const pairs = OPERATIONS.flatMap((operation) => {
      const [redis, db] = [of('redis', operation), of('db', operation)];
      return redis?.largest && db ? [{ operation, redis, db, largest: redis.largest }] : [];
    });
    const below = `${runtime}: ${failed.length} projection-vs-MySQL ${failed.length === 1 ? 'check' : 'checks'} below ${formatRatio(PROJECTION_TARGET.threshold)} (${failed.map((t) => `${t.subject.slice(runtime.length + 1)} ${formatRatio(t.ratio ?? 0)}`).join(', ')})`;
    if (pairs.length === 0) return [`${below}; not profiled, so not explained here.`];
    return [`${below}. Profiled on products: ${pairs.map((p) =>
      `${operationName(p.operation)} from Redis ${formatNumber(p.redis.busyPerRequest)} µs per request against ${formatNumber(p.db.busyPerRequest)} from MySQL, ` +
      `the largest part of the Redis read being ${CATEGORY_LABELS[p.largest.category]} (${formatNumber(p.largest.perRequest)} µs, ${formatNumber(p.largest.share * 100)}%)`).join('; ')} — ` +
      'what a request pays whatever the source, which bounds how much faster the faster source can make it.'];
  });
}

// The report's findings as the unit tests read them: each check with its target's statement, its scope and sentence
// in words, each finding with its sentence (bench/report/prose/), the details as `markdown`.
import { analyse } from '../../bench/report/analysis/index.js';
import * as checks from '../../bench/report/analysis/checks.js';
import { profileFindings, knobFindings, type KnobFinding, type ProfileFinding } from '../../bench/report/analysis/floors.js';
import { knobVerdict } from '../../bench/report/analysis/knobs.js';
import { checkSentence, scopeText } from '../../bench/report/prose/checks.js';
import { floorGapSentence, knobSentences as knobLines } from '../../bench/report/prose/floors.js';
import { readModeSentence, runtimeRatioSentence, sourceSentence } from '../../bench/report/prose/reads.js';
import { renderReport as render, type ReportOptions } from '../../bench/report/render.js';
import { visibilityLagSection as lagSection } from '../../bench/report/sections/visibilityLag.js';
import { conclusionLines } from '../../bench/report/sections/targets.js';
import { writeSentences } from '../../bench/report/sections/writes.js';
import { targetById } from '../../bench/report/targets.js';
import type { BenchResults } from '../../bench/results.js';
import type { LagPoint } from '../../bench/VisibilityLag.js';

export * from '../../bench/report/targets.js';
export { roundRatios } from '../../bench/report/analysis/common.js';
export { knobFindings, profileFindings };

export interface WordedCheck extends checks.TargetCheck { readonly scope: string; readonly sentence: string }

export function worded(check: checks.TargetCheck): WordedCheck {
  return { ...check, target: targetById(check.target).text, scope: scopeText(check), sentence: checkSentence(check) };
}

export function deriveConclusions(results: BenchResults) {
  const all = analyse(results);
  return {
    ...all,
    targets: all.checks.filter((c) => !targetById(c.target).id.startsWith('write') && c.target !== 'read-model-clean' && c.target !== 'async-lag').map(worded),
    sourceRatios: all.sourceRatios.map((f) => ({ ...f, sentence: sourceSentence(f) })),
    runtimeRatios: all.runtimeRatios.map((f) => ({ ...f, sentence: runtimeRatioSentence(f) })),
    readModes: all.readModes.map((f) => ({ ...f, sentence: readModeSentence(f) })),
    floorGaps: all.floorGaps.map((g) => ({ ...g, sentence: floorGapSentence(g) })),
    summary: conclusionLines(results, all),
  };
}

export function writeConclusions(results: BenchResults) {
  const all = analyse(results);
  return { writes: all.writes, mixed: all.mixed, targets: checks.writeChecks(results, all.writes, all.floorGaps).map(worded), summary: writeSentences(results, all) };
}

export function renderReport(results: BenchResults, options: ReportOptions) {
  const rendered = render(results, options);
  return { ...rendered, markdown: rendered.details };
}

export function knobCheck(results: BenchResults, findings: readonly KnobFinding[], profiles: readonly ProfileFinding[] = []): WordedCheck {
  return worded(checks.knobCheck(results, findings, profiles));
}

export function tailChecks(results: BenchResults, profiles: readonly ProfileFinding[]): WordedCheck[] {
  return checks.tailChecks(results, profiles).map(worded);
}

export function knobSentences(findings: readonly KnobFinding[], settings: BenchResults['settings']): string[] {
  return knobLines(findings, knobVerdict(findings, settings));
}

export function asyncLagVerdicts(points: readonly LagPoint[]) {
  return checks.asyncLagChecks(points).filter((c) => c.status !== 'not measured')
    .map((c) => ({ writer: c.subject, p99: c.ratio!, unseen: c.detail?.kind === 'async-lag' ? c.detail.unseen : 0, pass: c.status === 'pass' }));
}

export function visibilityLagSection(results: BenchResults, chart: (file: string, title: string, svg: string) => string): string[] {
  return lagSection(results, checks.asyncLagChecks(results.visibilityLag?.points ?? []), chart);
}

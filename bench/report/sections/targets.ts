// The details' last sections: every target's checks in a table, then the conclusions, one sentence per finding.
import { cellText } from '../../format.js';
import type { BenchResults } from '../../results.js';
import { runtimePairs } from '../analysis/common.js';
import type { Findings } from '../analysis/index.js';
import { checkSentence, figureText, scopeText, STATUS_WORDS, targetLine, thresholdText } from '../prose/checks.js';
import { floorGapSentence, floorSentences, knobSentences, profileSentence, projectionShortfallSentences } from '../prose/floors.js';
import {
  cursorSentence, depthSentence, failuresSentence, loadGeneratorSentence, persistentSentence, readModeSentence, runtimePairSummary, sourceSummary, sweepSentence,
} from '../prose/reads.js';
import { PROJECTION_TARGET, TARGETS } from '../targets.js';
import { writeSentences } from './writes.js';

export function targetsSection(all: Findings): string[] {
  const lines = [
    '## Targets',
    '',
    'From the targets\' catalogue (`bench/report/targets.ts`), checked within this run. A check whose cells include a driver-bound cell ' +
      '(see "Machine and method") is inconclusive: that cell measured the load generator, not the server.',
  ];
  for (const target of TARGETS) {
    const checks = all.checks.filter((c) => c.target === target.id);
    lines.push('', `**${target.text}**`, '', '| scope | measured | needed | result |', '|---|---:|---:|---|',
      ...checks.map((c) => `| ${cellText(scopeText(c))} | ${c.ratio === null ? '–' : figureText(target, c.ratio)} | ${thresholdText(target)} | ${STATUS_WORDS[c.status]} |`));
    const inconclusive = checks.filter((c) => c.status === 'inconclusive');
    if (inconclusive.length > 0) lines.push('', ...inconclusive.map((c) => `- ${checkSentence(c)}`));
    if (target.id === PROJECTION_TARGET.id) {
      const why = projectionShortfallSentences(all.runtimes, all.checks, all.profiles);
      if (why.length > 0) lines.push('', ...why.map((sentence) => `- ${sentence}`));
    }
  }
  return lines;
}

/** Every finding in a sentence or a few, for the details' "Conclusions" list. */
export function conclusionLines(results: BenchResults, all: Findings): string[] {
  const runtimes = all.runtimes;
  const rows = all.depth.length > 0 ? Math.max(...all.depth.map((f) => f.rows)) : 0;
  return [
    failuresSentence(all.failures),
    ...runtimes.map((runtime) => sourceSummary(runtime, all.sourceRatios.filter((f) => f.runtime === runtime))),
    ...runtimePairs(runtimes).map(([a, b]) => runtimePairSummary(a, b, all.runtimeRatios.filter((f) => f.numerator === a && f.denominator === b))),
    ...(all.sweep.length > 0 ? all.sweep.map(sweepSentence) : ['Worker sweep: not measured.']),
    persistentSentence(all.persistent),
    ...floorSentences(all.floors),
    ...all.floorGaps.map(floorGapSentence),
    ...(all.profiles.length > 0 ? all.profiles.map(profileSentence) : ['CPU attribution: not measured (no profiled cells).']),
    ...(all.readModes.length > 0 ? all.readModes.map(readModeSentence) : ["The original's read path: not measured."]),
    ...knobSentences(all.knobs, all.knobVerdict),
    ...(all.depth.length > 0 ? [...all.depth.filter((f) => f.rows === rows).map(depthSentence), ...all.cursor.map(cursorSentence)] : ['Page depth: not measured.']),
    ...projectionShortfallSentences(runtimes, all.checks, all.profiles),
    loadGeneratorSentence(all.loadGenerator, results),
    ...writeSentences(results, all),
    ...all.outcomes.map((o) => targetLine(o, all.checks)),
  ];
}

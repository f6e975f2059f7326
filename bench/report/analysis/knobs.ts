// What the data path's knobs did, in numbers, and the defaults that follow from them.
import type { BenchResults, DataPathKnob } from '../../results.js';
import { median } from './common.js';
import type { KnobFinding } from './floors.js';

/**
 * A data-path knob that serves more wins only if its p99 stays within this factor of the baseline's on every cell: a
 * default applies to every request, so a tail doubled on one cell is not averaged away by flat tails elsewhere.
 */
export const KNOB_TAIL_TOLERANCE = 1.2;
/** Both knobs together add up when they serve more than this times the better of the two alone (below: within this machine's noise). */
export const KNOBS_ADD_UP = 1.05;
/** JSON encoding replaces msgpack as the default only when it wins by more than this (the stored format is the project's). */
export const ENCODING_SWITCH_RATIO = 1.3;

export interface KnobRatio {
  readonly finding: KnobFinding;
  readonly ratio: number;
}

export interface KnobVerdict {
  readonly pipelining: null | {
    readonly median: number; readonly cells: number; readonly faster: number;
    /** The worst p99 ÷ baseline p99 over the cells, and where. */
    readonly worstTail: KnobRatio | null;
    readonly wins: boolean;
    /** REDIS_AUTO_PIPELINING in this run, when recorded. */
    readonly onByDefault: boolean | undefined;
  };
  readonly encoding: null | {
    readonly median: number; readonly cells: number; readonly best: KnobRatio;
    /** The cells where JSON wins by more than ENCODING_SWITCH_RATIO. */
    readonly beyond: readonly KnobRatio[];
    /** Median JSON ÷ baseline over gets and over pages: what saving the decode and the stringify is worth for each. */
    readonly getMedian: number | null;
    readonly listMedian: number | null;
  };
  readonly both: null | {
    readonly median: number; readonly cells: number; readonly best: KnobRatio;
    /** Both ÷ the better of the two alone (median), null when neither was measured alone. */
    readonly gain: number | null;
    readonly addUp: boolean;
    readonly tailMedian: number | null;
  };
}

export function ratiosOf(findings: readonly KnobFinding[], knob: Exclude<DataPathKnob, 'baseline'>): KnobRatio[] {
  return findings.flatMap((f) => f.knobs.filter((k) => k.knob === knob && k.ratio !== null).map((k) => ({ finding: f, ratio: k.ratio! })));
}

const bestOf = (ratios: readonly KnobRatio[]): KnobRatio => ratios.reduce((a, b) => (b.ratio > a.ratio ? b : a));

export function knobVerdict(findings: readonly KnobFinding[], settings: BenchResults['settings']): KnobVerdict {
  const pipelining = ratiosOf(findings, 'auto-pipelining');
  const tails = findings.flatMap((f) => f.knobs.filter((k) => k.knob === 'auto-pipelining' && k.p99Ratio !== null).map((k) => ({ finding: f, ratio: k.p99Ratio! })));
  const worstTail = tails.reduce<KnobRatio | null>((a, b) => (!a || b.ratio > a.ratio ? b : a), null);
  const pipeliningMedian = median(pipelining.map((r) => r.ratio));
  const encoding = ratiosOf(findings, 'json-encoding');
  const both = ratiosOf(findings, 'both');
  // Do the two add up? Compared with the better of the two alone on the same cell.
  const gains = both.flatMap(({ finding, ratio }) => {
    const alone = finding.knobs.filter((k) => k.knob !== 'both' && k.ratio !== null).map((k) => k.ratio!);
    return alone.length > 0 ? [ratio / Math.max(...alone)] : [];
  });
  const gain = gains.length > 0 ? median(gains) : null;
  const bothTails = findings.flatMap((f) => f.knobs.filter((k) => k.knob === 'both' && k.p99Ratio !== null).map((k) => k.p99Ratio!));
  const medianOf = (ratios: readonly KnobRatio[]) => (ratios.length > 0 ? median(ratios.map((r) => r.ratio)) : null);
  return {
    // A default must not buy throughput with the tail: it wins when it serves more without a p99 much worse on any cell.
    pipelining: pipelining.length === 0 ? null : {
      median: pipeliningMedian, cells: pipelining.length, faster: pipelining.filter((r) => r.ratio > 1).length, worstTail,
      wins: pipeliningMedian > 1 && (worstTail?.ratio ?? 1) <= KNOB_TAIL_TOLERANCE, onByDefault: settings.redisAutoPipelining,
    },
    encoding: encoding.length === 0 ? null : {
      median: median(encoding.map((r) => r.ratio)), cells: encoding.length, best: bestOf(encoding), beyond: encoding.filter((r) => r.ratio > ENCODING_SWITCH_RATIO),
      getMedian: medianOf(encoding.filter((r) => r.finding.operation === 'get')), listMedian: medianOf(encoding.filter((r) => r.finding.operation === 'list')),
    },
    both: both.length === 0 ? null : {
      median: median(both.map((r) => r.ratio)), cells: both.length, best: bestOf(both), gain, addUp: gain !== null && gain > KNOBS_ADD_UP,
      tailMedian: bothTails.length > 0 ? median(bothTails) : null,
    },
  };
}

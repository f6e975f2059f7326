// "The read model's recovery": how long a runtime takes to heal a lost read model (its RTO), and whether any read
// meanwhile answered something false, per runtime and data size (bench/recovery/).
import { ENTITY_NAMES } from '../../../core/index.js';
import { wrongAnswers } from '../../recovery/judge.js';
import type { BenchResults, RecoveryResult } from '../../results.js';
import { formatNumber } from '../../format.js';

function seconds(ms: number | null): string {
  return ms === null ? 'not within the timeout' : `${formatNumber(ms / 1000, 2)} s`;
}

function rate(r: RecoveryResult, entity: (typeof ENTITY_NAMES)[number]): string {
  const figures = r.rebuild[entity];
  return figures && figures.seconds > 0 ? formatNumber(figures.rows / figures.seconds) : '–';
}

function windowReads(r: RecoveryResult): number {
  return r.window.right + r.window.wrong + r.window.unavailable + r.window.error;
}

/** One sentence per measurement: what a reader saw during the window. */
export function recoverySentence(r: RecoveryResult): string {
  const wrong = wrongAnswers(r);
  const size = `${formatNumber(r.data.products)} products, ${formatNumber(r.data.customers)} customers, ${formatNumber(r.data.orders)} orders`;
  const healed = r.timeToHealthyMs === null ? 'did not heal within the timeout' : `was healthy again ${seconds(r.timeToHealthyMs)} after its read model was deleted`;
  const right = r.timeToRightMs === 0 ? 'every read was right throughout' : `the last read that was not right ended ${seconds(r.timeToRightMs)} after the deletion`;
  return `${r.runtime} at ${size} ${healed}; ${right}; ${wrong === 0 ? '0 wrong answers' : `**${formatNumber(wrong)} wrong answers**, e.g. \`${(r.wrongExamples[0] ?? '').replace(/`/g, "'")}\``} ` +
    `in ${formatNumber(windowReads(r))} reads during the window (${formatNumber(r.fallbackReads)} answered from MySQL), ` +
    `and ${formatNumber(r.afterHealthy.right)} of ${formatNumber(r.afterHealthy.checked)} questions right when asked again once healthy.`;
}

export function recoverySection(results: BenchResults): string[] {
  const lines = ['## The read model\'s recovery (RTO)', ''];
  const measured = results.recovery ?? [];
  if (measured.length === 0) return [...lines, 'Not measured: run `make bench-recovery` (or `make bench`, which runs it at its largest scale size).'];
  lines.push(
    'Redis loses the read model (its keys deleted under readers) and the runtime heals it by itself: its keeper finds the read model ' +
      'empty, rebuilds it from MySQL and swaps it in, while projection reads are answered from MySQL. Readers cycle through a sample ' +
      'of gets and pages of every entity, each read compared with MySQL\'s answer to the same question (the `/db` route): a right answer ' +
      'is the same status and body, a wrong one anything else but a 503 (unavailable) or another server error. Time to healthy is until ' +
      '`/healthz` says ok again; the rebuild rates are the keeper\'s own (`cqrs_read_model_rebuild_rows` ÷ `_seconds`). Noisy: the machine is shared.',
    '',
    '| runtime | products | customers | orders | time to healthy | wrong answers | reads during the window | unavailable (503) | errors | answered from MySQL | rebuild products/s | customers/s | orders/s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...measured.map((r) => `| ${r.runtime} | ${formatNumber(r.data.products)} | ${formatNumber(r.data.customers)} | ${formatNumber(r.data.orders)} | ` +
      `${seconds(r.timeToHealthyMs)} | ${formatNumber(wrongAnswers(r))} | ${formatNumber(windowReads(r))} | ${formatNumber(r.window.unavailable)} | ` +
      `${formatNumber(r.window.error)} | ${formatNumber(r.fallbackReads)} | ${rate(r, 'products')} | ${rate(r, 'customers')} | ${rate(r, 'orders')} |`),
    '',
    ...measured.map((r) => `- ${recoverySentence(r)}`),
  );
  return lines;
}

// The slow-Redis finding (the original's read path, cause by cause), the data path's knobs, and page depth.
import { formatMs, formatNumber, formatRange, formatRatio, formatRps } from '../../format.js';
import { DATA_PATH_KNOBS } from '../../plan.js';
import type { BenchResults, Cell, ReadMode } from '../../results.js';
import { READ_MODE_ORDER } from '../analysis/common.js';
import type { Findings } from '../analysis/index.js';
import type { ReadModeFinding } from '../analysis/reads.js';
import { KNOB_LABELS, knobCellName, knobSentences } from '../prose/floors.js';
import { causeOf, cursorSentence, depthSentence, readModeSentence, stepCauses, stepSentence } from '../prose/reads.js';
import { barChart, lineChart } from '../svg.js';
import type { ChartLink } from './chart.js';

export function slowRedis(all: Findings, chart: ChartLink, readCells: readonly Cell[], settingsConnections: number): string[] {
  const lines = [
    '## The slow-Redis finding',
    '',
    "The original PHP demo left open why its projection reads were slow. Its read path is reproduced here as read modes (`PROJECTION_READS`), " +
      'each removing one cause (for a list; a get has no per-id loop and no whole list, so only 2 and 4 apply to it):',
    '',
    ...READ_MODE_ORDER.filter((mode): mode is Exclude<ReadMode, 'original'> => mode !== 'original').map((mode, i) => {
      const cause = causeOf(mode, 'list');
      return `${i + 1}. \`${READ_MODE_ORDER[i] ?? ''}\` → \`${mode}\` removes ${cause.cause} (replaced by ${cause.fix}).`;
    }),
  ];
  const findings = all.readModes;
  if (findings.length === 0) return [...lines, '', 'Not measured: the results have no read-mode cells.'];
  const connections = [...new Set(readCells.map((c) => c.connections ?? settingsConnections))];
  lines.push('', `The original's whole-list reads take seconds each, so these cells run with ${connections.join(' or ')} connection${connections.length === 1 && connections[0] === 1 ? '' : 's'} ` +
    '(every stage alike): enough for each stage to complete requests within a run. Lists of the original stages read the whole list, as the original did; ' +
    '`original-paged` and `default` read a page.');
  for (const finding of findings) lines.push('', ...readModeTable(finding));
  const modes = READ_MODE_ORDER.filter((mode) => findings.some((f) => f.modes.some((m) => m.mode === mode)));
  const title = 'Read modes';
  const svg = barChart({
    title,
    subtitle: 'req/s (median), log scale: from the original read path to the default',
    unit: 'req/s (log scale)',
    orientation: 'horizontal',
    scale: 'log',
    categories: modes,
    series: findings.map((f) => ({
      name: `${f.runtime} ${f.entity} ${f.operation}`,
      values: modes.map((mode) => f.modes.find((m) => m.mode === mode)?.rps ?? null),
    })),
    formatValue: formatRps,
  });
  lines.push('', chart('read-modes.svg', title, svg));
  return lines;
}

export function dataPathKnobs(results: BenchResults, all: Findings, chart: ChartLink): string[] {
  const findings = all.knobs;
  const inTurns = findings.some((f) => f.knobs.some((k) => k.roundRatios));
  const lines = [
    "### The data path's own knobs",
    '',
    'The default read path above still pays a Redis round trip per request and, for msgpack, a decode and a `JSON.stringify`. Two settings of the ' +
      `data path, each measured on the same cells${inTurns ? ', the settings taking turns repeat by repeat' : ''}: \`REDIS_AUTO_PIPELINING=1\` (ioredis sends the commands of one event-loop ` +
      'turn as one pipeline) and `PROJECTION_ENCODING=json` (the projection stored as the JSON text a route sends: no decode, no stringify; its read ' +
      'model is kept under a REDIS_PREFIX of its own, built by the runtime at its start), and both together. Baseline: neither.',
  ];
  if (findings.length === 0) return [...lines, '', 'Not measured: the results have no knob cells (`make bench`, or `--knobs`).'];
  lines.push(
    '',
    `| cell | ${DATA_PATH_KNOBS.map((k) => KNOB_LABELS[k]).join(' | ')} | p99 ms (${DATA_PATH_KNOBS.join(' / ')}) |`,
    `|---|${DATA_PATH_KNOBS.map(() => '---:').join('|')}|---:|`,
    ...findings.map((f) => {
      const cells = DATA_PATH_KNOBS.map((k) => (k === 'baseline' ? { cell: f.baseline, ratio: null, roundRatios: null } : f.knobs.find((x) => x.knob === k)));
      return `| ${knobCellName(f)} from redis | ` +
        `${cells.map((c) => (c ? `${formatRps(c.cell.summary.rps.median)}${c.ratio === null ? '' : ` (${formatRatio(c.ratio)}${c.roundRatios ? `; per round ${formatRange(c.roundRatios)}` : ''})`}` : '–')).join(' | ')} | ` +
        `${cells.map((c) => (c ? formatMs(c.cell.summary.p99) : '–')).join(' / ')} |`;
    }),
  );
  const title = "The data path's knobs";
  const svg = barChart({
    title,
    subtitle: 'req/s (median) of each setting on the same cell',
    unit: 'req/s',
    orientation: 'horizontal',
    categories: findings.map((f) => knobCellName(f)),
    series: DATA_PATH_KNOBS.map((knob) => ({
      name: KNOB_LABELS[knob],
      values: findings.map((f) => (knob === 'baseline' ? f.baseline.summary.rps.median : f.knobs.find((k) => k.knob === knob)?.cell.summary.rps.median ?? null)),
    })),
    formatValue: formatRps,
  });
  lines.push('', chart('data-path-knobs.svg', title, svg), '', ...knobSentences(findings, all.knobVerdict).map((s) => `- ${s}`));
  return lines;
}

function readModeTable(finding: ReadModeFinding): string[] {
  const rows = finding.modes.map((m, i) => {
    const step = i === 0 ? undefined : finding.steps[i - 1];
    const s = m.cell.summary;
    return (
      `| \`${m.mode}\` | ${m.listQuery && finding.operation === 'list' ? `\`${m.listQuery}\`` : '–'} | ${formatRps(s.rps.median)} (${formatRps(s.rps.min)}–${formatRps(s.rps.max)}) | ` +
      `${formatMs(s.p99)} | ${step && step.speedup !== null ? formatRatio(step.speedup) : '–'} | ${step ? stepCauses(step, finding.operation).join('; ') || 'nothing for this operation' : '(the original)'} |`
    );
  });
  return [
    `### ${finding.runtime}, ${finding.entity} ${finding.operation} from ${finding.source}`,
    '',
    '| read mode | query | req/s median (min–max) | p99 ms | speed-up over the previous row | cause removed |',
    '|---|---|---:|---:|---:|---|',
    ...rows,
    '',
    ...finding.steps.map((s) => `- ${stepSentence(s, finding.operation)}`),
    `- ${readModeSentence(finding)}`,
  ];
}

export function pageDepth(results: BenchResults, all: Findings, chart: ChartLink): string[] {
  const lines = ['## Page depth', ''];
  const findings = all.depth;
  if (findings.length === 0) return [...lines, 'Not measured: the results have no page-depth cells (`make bench` measures them in its scale step).'];
  const bound = results.settings.dbMaxOffset;
  lines.push(
    `A page of products read at several depths, by offset (\`offset=N\`) and by cursor (\`after=<id of the row before>\`), on uws at each data size of the scale step. ` +
      `The MySQL routes refuse an offset past DB_MAX_OFFSET${bound === undefined ? '' : ` (${formatNumber(bound)} in this run)`} with a 400 pointing at the cursor; ` +
      'these cells lift that bound to show what it protects against. Cost is the first page\'s req/s ÷ this page\'s.',
    '',
    '| rows | source | paging | rows before the page | req/s | p50 ms | cost × first page |',
    '|---:|---|---|---:|---:|---:|---:|',
    ...findings.flatMap((f) => f.points.map((p) =>
      `| ${formatNumber(f.rows)} | ${f.source} | ${f.by === 'offset' ? 'offset' : 'cursor (after)'} | ${formatNumber(p.depth)}${bound !== undefined && f.source === 'db' && f.by === 'offset' && p.depth > bound ? ' (past the bound)' : ''} | ` +
      `${formatRps(p.rps)} | ${formatMs(p.p50)} | ${formatRatio(p.cost)} |`)),
    '',
  );
  const rows = Math.max(...findings.map((f) => f.rows));
  const largest = findings.filter((f) => f.rows === rows);
  const title = `Cost of a page by depth, ${formatNumber(rows)} products`;
  const svg = lineChart({
    title,
    subtitle: 'first page req/s ÷ req/s at this depth (1× = as cheap as the first page)',
    xLabel: 'rows before the page',
    yUnit: '× first page',
    series: largest.map((f) => ({ name: `${f.source} by ${f.by === 'offset' ? 'offset' : 'cursor'}`, points: f.points.map((p) => ({ x: p.depth, y: p.cost })) })),
    formatValue: (v) => formatRatio(v),
  });
  lines.push(chart('page-depth.svg', title, svg), '', ...findings.map((f) => `- ${depthSentence(f)}`), ...all.cursor.map((f) => `- ${cursorSentence(f)}`));
  return lines;
}

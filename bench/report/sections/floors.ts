// Each runtime against its floors, and where a request's CPU goes (the profiles): tables and charts.
import { driverBoundReason, driverCeiling } from '../../driverBound.js';
import { formatNumber, formatRange, formatRatio, formatRps } from '../../format.js';
import { BOOTSTRAP_LABELS, BOOTSTRAP_STAGES, BUSY_CATEGORIES, CATEGORY_LABELS } from '../../profile/attribution.js';
import type { BenchResults } from '../../results.js';
import { scenarioName } from '../analysis/common.js';
import type { Findings } from '../analysis/index.js';
import { FLOOR_LABELS, floorGapSentence, floorSentences, profileSentence, runtimeLabel } from '../prose/floors.js';
import { barChart, stackedBarChart } from '../svg.js';
import type { ChartLink } from './chart.js';

export function floors(results: BenchResults, all: Findings, chart: ChartLink): string[] {
  const lines = ['## Floors: what each runtime reaches of the achievable', ''];
  const findings = all.floors;
  if (findings.length === 0) return [...lines, 'Not measured: the results have no floor cells (the full run measures them; `--floors` adds them to a quick run).'];
  const constant = results.baselines?.uwsConstant?.summary.rps.median;
  lines.push(
    'A floor is a minimal server doing exactly what a cell does and nothing else — the same route, the same read through core ' +
      '(the same Redis command or MySQL query), the same JSON — on one server model, measured in this run (`bench/floors/`): raw uWS with ' +
      'the uws runtime\'s threads (uws\'s floor), raw node:http, raw Express (express\'s floor), and an FPM-like pool: a node:http master handing each ' +
      'request over fork\'s IPC to children that keep their connections (fork\'s floor). **runtime ÷ floor** is what the framework and the application ' +
      `leave of the achievable rate; **floor ÷ constant** is what the read costs against the bare uWS constant${constant ? ` (${formatRps(constant)} req/s)` : ''}.`,
    '',
    findings.some((f) => f.roundRatios)
      ? 'Each runtime and its floors were measured in turns, repeat by repeat, seconds apart (`bench/turns.ts`): **per round** gives ' +
        'runtime ÷ floor for each pair of repeats (min–max), the noise the ratio carries on this machine.'
      : 'These cells were measured one after the other, not in turns: **per round** is left out.',
    '',
    '| floor | scenario | floor req/s median (min–max) | floor ÷ constant | runtime | runtime req/s | runtime ÷ floor | per round |',
    '|---|---|---:|---:|---|---:|---:|---:|',
    ...findings.map((f) => {
      const s = f.floorCell.summary;
      const bound = driverBoundReason(f.floorCell, driverCeiling(results)) !== null || (f.runtimeCell && driverBoundReason(f.runtimeCell, driverCeiling(results)) !== null);
      return `| ${FLOOR_LABELS[f.floor]} | ${scenarioName(f)} | ${formatRps(s.rps.median)} (${formatRps(s.rps.min)}–${formatRps(s.rps.max)}) | ` +
        `${f.dataCost === null ? '–' : formatRatio(f.dataCost)} | ${runtimeLabel(f)} | ${f.runtimeCell ? formatRps(f.runtimeCell.summary.rps.median) : 'not measured'} | ` +
        `${f.overhead === null ? '–' : formatRatio(f.overhead)}${bound ? ' ⚠ driver-bound' : ''} | ${formatRange(f.roundRatios)} |`;
    }),
    '',
  );
  const own = findings.filter((f) => f.floor !== 'node-http');
  const scenarios = [...new Set(own.map((f) => scenarioName(f)))];
  const series = [...new Set(own.map((f) => runtimeLabel(f)))];
  const title = 'Each runtime against its floor';
  const svg = barChart({
    title,
    subtitle: 'runtime req/s ÷ its floor\'s req/s, same run (1× = all of the achievable rate)',
    unit: '× floor',
    orientation: 'horizontal',
    categories: scenarios,
    series: series.map((name) => ({ name, values: scenarios.map((sc) => own.find((f) => runtimeLabel(f) === name && scenarioName(f) === sc)?.overhead ?? null) })),
    formatValue: (v) => formatRatio(v),
  });
  lines.push(chart('floors.svg', title, svg), '', ...floorSentences(findings).map((s) => `- ${s}`));
  return lines;
}

export function attribution(all: Findings, chart: ChartLink): string[] {
  const lines = ['## Where the time goes: CPU attribution', ''];
  const findings = all.profiles;
  if (findings.length === 0) return [...lines, 'Not measured: the results have no profiled cells (the full run profiles them; `--profile` adds them to a quick run).'];
  const used = BUSY_CATEGORIES.filter((c) => findings.some((f) => f.perRequest[c] > 0));
  lines.push(
    'Products get and page, from MySQL and from Redis, and products create at the write cells\' largest connection count beside the write floor (the same ' +
      'transaction on node:http and mysql2), measured again after the timed cells (profiling slows a server, so these are never ' +
      'the timed cells): a fresh start of the runtime with V8\'s CPU profiler in every process and thread (`bench/profile/`), one load of the cell\'s ' +
      'duration after its warm-up. Each sample\'s self-time goes to a category by the file or package of its function; a native function or Node\'s ' +
      'generic code (a socket write) goes to its nearest caller that names one (ioredis, node:http…). Figures are sampled time per request in µs, summed ' +
      'over processes and threads; idle is left out of the bars. On a shared machine a thread waiting for a core is sampled too.',
    '',
    `| cell | profiles | requests | µs per request | largest | idle | ${used.map((c) => CATEGORY_LABELS[c]).join(' | ')} |`,
    `|---|---:|---:|---:|---|---:|${used.map(() => '---:').join('|')}|`,
    ...findings.map((f) => `| ${f.profile.id} | ${f.profile.profiles} | ${formatNumber(f.profile.requests)} | ${formatNumber(f.busyPerRequest)} | ` +
      `${f.largest ? f.largest.category : '–'} | ${formatNumber(f.idleShare * 100)}% | ${used.map((c) => formatNumber(f.perRequest[c], 1)).join(' | ')} |`),
    '',
  );
  // One chart per runtime: fork's per-request bootstrap costs tens of times uws's whole request, and one shared
  // axis would flatten the others' bars. The categories keep their colours across the charts.
  for (const runtime of all.runtimes) {
    const own = findings.filter((f) => f.profile.runtime === runtime);
    if (own.length === 0) continue;
    const title = `Where a request's time goes: ${runtime}`;
    const svg = stackedBarChart({
      title,
      subtitle: 'sampled time per request (µs) by category, every process and thread of the runtime; idle left out',
      unit: 'µs per request',
      categories: own.map((f) => f.profile.id),
      segments: used.map((c) => ({ name: CATEGORY_LABELS[c], values: own.map((f) => f.perRequest[c]) })),
      formatValue: (v) => formatNumber(v),
    });
    lines.push(chart(`attribution-${runtime}.svg`, title, svg), '');
  }
  const fork = findings.filter((f) => f.stages);
  if (fork.length > 0) {
    lines.push(
      '### fork: a request\'s stages',
      '',
      'CPU µs per request in each stage of a fork request, from the profiles of the master and the children (a sample goes to the innermost stage on ' +
        'its stack). What a CPU profile cannot show: the time a child waits for MySQL\'s and Redis\'s connection handshakes to come back (it is idle then), ' +
        'so connecting costs more wall time per request than these figures.',
      '',
      `| cell | ${BOOTSTRAP_STAGES.map((s) => BOOTSTRAP_LABELS[s]).join(' | ')} |`,
      `|---|${BOOTSTRAP_STAGES.map(() => '---:').join('|')}|`,
      ...fork.map((f) => `| ${f.profile.id} | ${BOOTSTRAP_STAGES.map((s) => formatNumber(f.stages![s], 1)).join(' | ')} |`),
      '',
    );
  }
  const gaps = all.floorGaps;
  if (gaps.length > 0) {
    const grown = BUSY_CATEGORIES.filter((c) => gaps.some((g) => Math.abs(g.extra[c]) >= 0.05));
    lines.push(
      '### What each runtime adds over its floor',
      '',
      'The floors of the Redis cells profiled the same way (`floor:` rows above): the runtime\'s µs per request minus its floor\'s, by category. ' +
        'A positive figure is work the runtime does that a minimal server doing the same read does not (its pipeline, hooks, metrics, routing). ' +
        'Each side is one profiled load, the floor\'s right after the runtime\'s; on this shared machine a thread waiting for a core is sampled ' +
        'too, so two loads of the same server can differ by tens of µs: read a small difference as noise, and set these figures beside the ' +
        'timed ratios of the floors section.',
      '',
      `| cell | runtime µs | floor µs | extra µs | ${grown.map((c) => CATEGORY_LABELS[c]).join(' | ')} |`,
      `|---|---:|---:|---:|${grown.map(() => '---:').join('|')}|`,
      ...gaps.map((g) => `| ${g.runtime.profile.id} | ${formatNumber(g.runtime.busyPerRequest)} | ${formatNumber(g.floor.busyPerRequest)} | ${formatNumber(g.extraPerRequest, 1)} | ` +
        `${grown.map((c) => formatNumber(g.extra[c], 1)).join(' | ')} |`),
      '',
      ...gaps.map((g) => `- ${floorGapSentence(g)}`),
      '',
    );
  }
  lines.push(...findings.map((f) => `- ${profileSentence(f)}`));
  return lines;
}

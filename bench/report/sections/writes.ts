// The "Writes" section of the details: the write cells (every runtime × command × connections), the write floor
// they are measured in turns with, the mixed cells and the read model checked after them.
import { formatMs, formatNumber, formatRange, formatRatio, formatRps } from '../../format.js';
import type { BenchResults, Cell } from '../../results.js';
import { median, runtimesOf } from '../analysis/common.js';
import type { Findings } from '../analysis/index.js';
import { commandsOf } from '../analysis/writes.js';
import { lineChart } from '../svg.js';
import type { ChartLink } from './chart.js';

/** A sentence per runtime (its best writes/s, against the write floor) and per mixed cell. */
export function writeSentences(results: BenchResults, all: Findings): string[] {
  const { writes, mixed } = all;
  if (writes.length === 0 && mixed.length === 0) return ['Writes: not measured.'];
  const summary: string[] = [];
  for (const runtime of runtimesOf(results)) {
    const mine = writes.filter((w) => w.runtime === runtime);
    if (mine.length === 0) continue;
    const best = mine.reduce((a, b) => (b.cell.summary.rps.median > a.cell.summary.rps.median ? b : a));
    const floored = mine.filter((w) => w.floorRatio !== null);
    summary.push(`${runtime}: up to ${formatRps(best.cell.summary.rps.median)} writes/s (${best.entity} ${best.command} at ${best.connections} connections)` +
      (floored.length > 0 ? `; against the write floor ${floored.map((w) => `${formatRatio(w.floorRatio!)} at ${w.connections}`).join(', ')}` : '') + '.');
  }
  for (const cell of mixed) {
    summary.push(`${cell.runtime} mixed (${cell.connections} connections, 1 command in 10): ${formatRps(cell.summary.rps.median)} req/s, p99 ${formatMs(cell.summary.p99)} ms.`);
  }
  return summary;
}


function spread(cell: Cell, share = 1): string {
  const { median: m, min, max } = cell.summary.rps;
  return `${formatRps(m * share)} (${formatRps(min * share)}–${formatRps(max * share)})`;
}

function failures(cell: Cell): string {
  const { errors, non2xx } = cell.summary;
  return errors + non2xx > 0 ? `⚠ ${formatNumber(errors)} + ${formatNumber(non2xx)}` : '0';
}

/** The section: tables of the write and mixed cells, a chart per command, the read model checks. */
export function writesSection(results: BenchResults, all: Findings, chart: ChartLink): string[] {
  const lines = ['## Writes', ''];
  const { writes, mixed } = all;
  if (writes.length === 0 && mixed.length === 0) return [...lines, 'Not measured: the results have no write or mixed cells.'];
  lines.push(
    'Every command through each runtime, each request with its own `Idempotency-Key` and unique names and e-mails (bench/scenarios.json, ' +
      '`writes`); an update or a delete acts on rows its cell created first, a new order has 1–5 lines on seeded products. writes/s is the median ' +
      'of the repeats (min–max): 2xx answers and failures alike, which the errors column counts (errors + non-2xx). The write floor is a minimal node:http ' +
      'server doing only the command\'s transaction with mysql2 (bench/floors/write.ts), measured in turns with each runtime at the same connections.',
    '',
    '| runtime | entity | command | connections | writes/s median (min–max) | p50 ms | p95 ms | p99 ms | errors + non-2xx | server CPU % | load generator CPU % | write floor writes/s | ÷ floor (rounds) |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...writes.map((w) => {
      const s = w.cell.summary;
      return `| ${w.runtime} | ${w.entity} | ${w.command} | ${w.connections} | ${spread(w.cell)} | ${formatMs(s.p50)} | ${formatMs(s.p95)} | ${formatMs(s.p99)} | ` +
        `${failures(w.cell)} | ${formatNumber(s.serverCpuPct)} | ${formatNumber(s.driverCpuPct)} | ${w.floorCell ? `${spread(w.floorCell)}${w.floorCell.summary.errors + w.floorCell.summary.non2xx > 0 ? ` ${failures(w.floorCell)}` : ''}` : '–'} | ` +
        `${w.floorRatio === null ? '–' : `${formatRatio(w.floorRatio)}${w.floorRounds ? ` (${formatRange(w.floorRounds)})` : ''}`} |`;
    }),
  );
  for (const { entity, command } of commandsOf(results, writes).filter((k, i, all) => all.findIndex((o) => o.entity === k.entity && o.command === k.command) === i)) {
    const mine = writes.filter((w) => w.entity === entity && w.command === command);
    const series: { name: string; points: { x: number; y: number }[] }[] = runtimesOf(results).filter((r) => mine.some((w) => w.runtime === r)).map((runtime) => ({
      name: runtime,
      points: mine.filter((w) => w.runtime === runtime).map((w) => ({ x: w.connections, y: w.cell.summary.rps.median })).sort((a, b) => a.x - b.x),
    }));
    const floors = [...new Set(mine.filter((w) => w.floorCell).map((w) => w.connections))].sort((a, b) => a - b);
    if (floors.length > 0) {
      series.push({ name: 'write floor (median)', points: floors.map((x) => ({ x, y: median(mine.filter((w) => w.connections === x && w.floorCell).map((w) => w.floorCell!.summary.rps.median)) })) });
    }
    const title = `Writes/s against connections: ${entity} ${command}`;
    lines.push('', chart(`writes-${entity}-${command}.svg`, title, lineChart({
      title, subtitle: 'median of the repeats, per runtime', xLabel: 'connections', yUnit: 'writes/s', xScale: 'log2', series, formatValue: formatRps,
    })));
  }
  if (mixed.length > 0) {
    lines.push(
      '', '### Mixed: projection reads with one command in ten', '',
      'Of every 10 requests, 9 projection gets by random id (the entities in turn) and 1 create (products, customers, orders in turn).', '',
      '| runtime | connections | req/s median (min–max) | of which commands/s | p50 ms | p95 ms | p99 ms | errors + non-2xx | server CPU % | load generator CPU % |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...mixed.map((c) => `| ${c.runtime} | ${c.connections ?? results.settings.connections} | ${spread(c)} | ${spread(c, 0.1)} | ${formatMs(c.summary.p50)} | ${formatMs(c.summary.p95)} | ` +
        `${formatMs(c.summary.p99)} | ${failures(c)} | ${formatNumber(c.summary.serverCpuPct)} | ${formatNumber(c.summary.driverCpuPct)} |`),
    );
  }
  const checks = results.readModelChecks ?? [];
  lines.push('', '### The read model after the writes', '');
  if (checks.length === 0) lines.push('Not checked.');
  else {
    const unclean = checks.filter((c) => c.exitCode !== 0);
    lines.push(`\`make verify-projections\` (every id and page of every entity, MySQL against the projections) after each of ${checks.length} write and mixed cells: ` +
      (unclean.length === 0 ? `clean every time (last: ${formatNumber(checks[checks.length - 1]!.ids)} ids and ${formatNumber(checks[checks.length - 1]!.pages)} pages compared).`
        : `${unclean.length} not clean: ${unclean.map((c) => `${c.after} (${c.exitCode === 1 ? `${formatNumber(c.mismatches)} mismatches` : `verifier exit ${c.exitCode}`})`).join(', ')}.`));
  }
  if (results.restoredExitCode !== undefined) {
    lines.push('', results.restoredExitCode === 0 ? 'The configured data set was restored after the write cells (`make seed`).' : `⚠ Restoring the data set after the write cells failed (exit ${results.restoredExitCode}).`);
  }
  return lines;
}

// The "Writes" section of RESULTS.md: the write cells (every runtime × command × connections), the write floor
// they are measured in turns with, the mixed cells, the read model checked after them, and the write targets.
import type { BenchResults, Cell, EntityName, RuntimeName, WriteCommand } from '../results.js';
import { check, formatMs, formatRatio, formatRps, median, roundRatios, RUNTIMES, type TargetCheck } from './conclusions.js';
import { formatNumber, lineChart } from './svg.js';

export const WRITE_GROWTH_TARGET = { text: 'writes grow with connections: 16 connections ≥ 4× one connection (writes/s), per runtime and command', threshold: 4 } as const;
export const WRITE_PLATEAU_TARGET = { text: 'writes grow with connections: 64 connections not below 16 (writes/s), per runtime and command', threshold: 1 } as const;
export const WRITE_FLOOR_TARGET = { text: 'runtime ÷ write floor ≥ 0.8 at 64 connections (the write floor\'s command)', threshold: 0.8, connections: 64 } as const;
export const READ_MODEL_TARGET = { text: 'after every write and mixed cell, make verify-projections is clean (clean checks ÷ checks)', threshold: 1 } as const;
export const WRITE_TARGETS = [WRITE_GROWTH_TARGET, WRITE_PLATEAU_TARGET, WRITE_FLOOR_TARGET, READ_MODEL_TARGET] as const;

/** A runtime's command at one connection count, with the write floor measured in turns with it (its command only). */
export interface WriteFinding {
  readonly runtime: RuntimeName;
  readonly entity: EntityName;
  readonly command: WriteCommand;
  readonly connections: number;
  readonly cell: Cell;
  readonly floorCell: Cell | undefined;
  /** runtime ÷ floor writes/s (medians), and round by round when measured in turns. */
  readonly floorRatio: number | null;
  readonly floorRounds: readonly number[] | null;
}

export interface WriteConclusions {
  readonly writes: readonly WriteFinding[];
  readonly mixed: readonly Cell[];
  readonly targets: readonly TargetCheck[];
  readonly summary: readonly string[];
}

const COMMANDS: readonly WriteCommand[] = ['create', 'update', 'delete'];

function writeCells(results: BenchResults): Cell[] {
  return results.cells.filter((c) => c.group === 'writes');
}

export function writeFindings(results: BenchResults): WriteFinding[] {
  const cells = writeCells(results);
  return cells.filter((c) => !c.writeFloor).map((cell) => {
    const floorCell = cells.find((f) => f.writeFloor && f.runtime === cell.runtime && f.entity === cell.entity && f.operation === cell.operation && f.connections === cell.connections);
    const floorRps = floorCell?.summary.rps.median ?? 0;
    return {
      runtime: cell.runtime, entity: cell.entity, command: cell.operation as WriteCommand, connections: cell.connections ?? results.settings.connections, cell, floorCell,
      floorRatio: floorCell && floorRps > 0 ? cell.summary.rps.median / floorRps : null,
      floorRounds: floorCell ? roundRatios(cell, floorCell) : null,
    };
  });
}

/** Each runtime's commands, in the order the report lists them. */
function commandsOf(findings: readonly WriteFinding[]): { runtime: RuntimeName; entity: EntityName; command: WriteCommand }[] {
  const keys = new Map<string, { runtime: RuntimeName; entity: EntityName; command: WriteCommand }>();
  for (const runtime of RUNTIMES) {
    for (const f of findings.filter((w) => w.runtime === runtime).sort((a, b) => COMMANDS.indexOf(a.command) - COMMANDS.indexOf(b.command))) {
      keys.set(`${f.runtime}/${f.entity}/${f.command}`, { runtime: f.runtime, entity: f.entity, command: f.command });
    }
  }
  return [...keys.values()];
}

export function writeChecks(results: BenchResults, findings: readonly WriteFinding[]): TargetCheck[] {
  const at = (k: { runtime: RuntimeName; entity: EntityName; command: WriteCommand }, connections: number) =>
    findings.find((f) => f.runtime === k.runtime && f.entity === k.entity && f.command === k.command && f.connections === connections);
  const growth = (target: typeof WRITE_GROWTH_TARGET | typeof WRITE_PLATEAU_TARGET, from: number, to: number): TargetCheck[] => {
    const scoped = commandsOf(findings).filter((k) => at(k, from) && at(k, to));
    if (scoped.length === 0) return [check(target.text, target.threshold, `writes at ${from} and ${to} connections`, null)];
    return scoped.map((k) => {
      const [a, b] = [at(k, from)!.cell, at(k, to)!.cell];
      return check(target.text, target.threshold, `${k.runtime} ${k.entity} ${k.command}: ${formatRps(b.summary.rps.median)} writes/s at ${to} vs ${formatRps(a.summary.rps.median)} at ${from}`,
        a.summary.rps.median > 0 ? b.summary.rps.median / a.summary.rps.median : null, { results, cells: [a, b] });
    });
  };
  const floored = findings.filter((f) => f.floorCell && f.connections === WRITE_FLOOR_TARGET.connections);
  const floor = floored.length === 0
    ? [check(WRITE_FLOOR_TARGET.text, WRITE_FLOOR_TARGET.threshold, 'each runtime against the write floor', null)]
    : floored.map((f) => check(WRITE_FLOOR_TARGET.text, WRITE_FLOOR_TARGET.threshold,
      `${f.runtime} ${f.entity} ${f.command} at ${f.connections} connections: ${formatRps(f.cell.summary.rps.median)} vs write floor ${formatRps(f.floorCell!.summary.rps.median)} writes/s` +
      (f.floorRounds ? ` (rounds ${roundsRange(f.floorRounds)})` : ''), f.floorRatio, { results, cells: [f.cell, f.floorCell] }));
  const checks = results.readModelChecks ?? [];
  const clean = checks.filter((c) => c.exitCode === 0).length;
  const readModel = check(READ_MODEL_TARGET.text, READ_MODEL_TARGET.threshold,
    checks.length === 0 ? 'the read model after the write cells' : `${clean} of ${checks.length} checks clean` +
      (clean < checks.length ? `; not after ${checks.filter((c) => c.exitCode !== 0).map((c) => `${c.after} (${c.exitCode === 1 ? `${formatNumber(c.mismatches)} mismatches` : `verifier exit ${c.exitCode}`})`).join(', ')}` : ''),
    checks.length === 0 ? null : clean / checks.length);
  return [...growth(WRITE_GROWTH_TARGET, 1, 16), ...growth(WRITE_PLATEAU_TARGET, 16, 64), ...floor, readModel];
}

function roundsRange(ratios: readonly number[]): string {
  const sorted = [...ratios].sort((a, b) => a - b);
  return `${formatRatio(sorted[0]!)}–${formatRatio(sorted[sorted.length - 1]!)}`;
}

export function writeConclusions(results: BenchResults): WriteConclusions {
  const writes = writeFindings(results);
  const mixed = results.cells.filter((c) => c.group === 'mixed');
  const targets = writeChecks(results, writes);
  const summary: string[] = [];
  if (writes.length === 0 && mixed.length === 0) return { writes, mixed, targets, summary: ['Writes: not measured.'] };
  for (const runtime of RUNTIMES) {
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
  return { writes, mixed, targets, summary };
}

type ChartLink = (file: string, title: string, svg: string) => string;

function spread(cell: Cell, share = 1): string {
  const { median: m, min, max } = cell.summary.rps;
  return `${formatRps(m * share)} (${formatRps(min * share)}–${formatRps(max * share)})`;
}

function failures(cell: Cell): string {
  const { errors, non2xx } = cell.summary;
  return errors + non2xx > 0 ? `⚠ ${formatNumber(errors)} + ${formatNumber(non2xx)}` : '0';
}

/** The section: tables of the write and mixed cells, a chart per command, the read model checks. */
export function writesSection(results: BenchResults, conclusions: WriteConclusions, chart: ChartLink): string[] {
  const lines = ['## Writes', ''];
  const { writes, mixed } = conclusions;
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
        `${w.floorRatio === null ? '–' : `${formatRatio(w.floorRatio)}${w.floorRounds ? ` (${roundsRange(w.floorRounds)})` : ''}`} |`;
    }),
  );
  for (const { entity, command } of commandsOf(writes).filter((k, i, all) => all.findIndex((o) => o.entity === k.entity && o.command === k.command) === i)) {
    const mine = writes.filter((w) => w.entity === entity && w.command === command);
    const series: { name: string; points: { x: number; y: number }[] }[] = RUNTIMES.filter((r) => mine.some((w) => w.runtime === r)).map((runtime) => ({
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

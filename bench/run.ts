// `make bench` / `make bench-quick`: every runtime × entity × source × operation, the worker sweep and the
// read modes, measured one runtime at a time, written as JSON under bench/results/ and rendered into a report.
// Talks to the runtimes over HTTP only (and reads /proc for their CPU and memory).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { createProgress } from '../cli/progress.js';
import { loadConfig } from '../core/config.js';
import { findFreePort, launchRuntime, RUNTIME_NAMES, type LaunchedRuntime } from '../runtimes/launcher.js';
import { selectDriver } from './drivers/index.js';
import { machineInfo } from './machine.js';
import { measureCell, measureRuns, summarise, type Target } from './measure.js';
import { planCells, planScaleCells, runtimeEnv, type CellPlan } from './plan.js';
import { fetchIds, preflight } from './preflight.js';
import { writeReport } from './report/index.js';
import { RESULTS_SCHEMA, type BenchResults, type Cell, type EntityName, type RuntimeName } from './results.js';
import { loadScenarios, scenarioPath, type Timing } from './scenarios.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    runtimes: { type: 'string', default: RUNTIME_NAMES.join(',') },
    sweep: { type: 'boolean' },
    reads: { type: 'boolean' },
    out: { type: 'string', default: 'bench/results' },
    report: { type: 'string' },
    // Only the cells whose id contains this, e.g. `products/redis/get` (one cell per runtime).
    only: { type: 'string' },
    // The bare-uWS reference point (default: in the full run).
    baseline: { type: 'boolean' },
    // Measure the scale cells for the data set loaded now (make bench does it at 1k and 100k products).
    scale: { type: 'boolean', default: false },
    // Merge the measured cells into this results file (replacing cells of the same id) and render its report.
    into: { type: 'string' },
    // Seconds per timed repeat instead of the scenario's (e.g. a quick run long enough to watch its timelines).
    duration: { type: 'string' },
  },
});

const runtimes = args.runtimes!.split(',').map((r) => r.trim()) as RuntimeName[];
for (const r of runtimes) if (!(RUNTIME_NAMES as readonly string[]).includes(r)) throw new Error(`--runtimes: unknown runtime ${r}`);
const quick = args.quick!;
const mode = quick ? 'quick' : 'full';
const scenarios = loadScenarios();
const timing = withDuration(quick ? scenarios.quick : scenarios, args.duration);
const settings = loadConfig().runtimes;
const driver = selectDriver();
const logDir = join(args.out!, 'logs');
mkdirSync(logDir, { recursive: true });

function withDuration(timing: Timing, seconds: string | undefined): Timing {
  if (seconds === undefined) return timing;
  const durationSec = Number(seconds);
  if (!Number.isInteger(durationSec) || durationSec <= 0) throw new Error(`--duration: not a whole number of seconds: ${seconds}`);
  return { ...timing, durationSec };
}

async function launch(name: RuntimeName, env: Record<string, string>): Promise<LaunchedRuntime> {
  return launchRuntime({ name, port: await findFreePort(), env, logFile: join(logDir, `${name}.log`) });
}

function formatCell(cell: Cell): string {
  const s = cell.summary;
  const flag = s.errors + s.non2xx > 0 ? `  ERRORS ${s.errors} non2xx ${s.non2xx}` : '';
  return `${cell.id.padEnd(44)} ${Math.round(s.rps.median).toString().padStart(7)} req/s  p50 ${s.p50.toFixed(2)} p99 ${s.p99.toFixed(2)} ms  server CPU ${Math.round(s.serverCpuPct)}%  load CPU ${Math.round(s.driverCpuPct)}%${flag}`;
}

async function main(): Promise<number> {
  const startedAt = new Date().toISOString();
  const into = args.into;
  let cells = args.scale ? [] : planCells(scenarios, {
    runtimes, forkWorkers: settings.forkWorkers, uwsWorkers: settings.uwsWorkers,
    sweep: args.sweep ?? !quick, reads: args.reads ?? !quick,
  });

  // Preflight: all runtimes up together, every endpoint answered alike.
  const all = new Map<RuntimeName, LaunchedRuntime>();
  const ids = new Map<string, readonly number[]>();
  const data = {} as Record<EntityName, number>;
  let checked;
  try {
    for (const name of runtimes) all.set(name, await launch(name, {}));
    const urls = new Map([...all].map(([name, r]) => [name, r.url]));
    checked = await preflight(urls, scenarios);
    const first = [...urls.values()][0]!;
    for (const entity of scenarios.entities) {
      const list = await fetchIds(first, entity);
      ids.set(entity, list);
      data[entity] = list.length;
    }
  } finally {
    await Promise.all([...all.values()].map((r) => r.stop()));
  }
  if (args.scale) cells = planScaleCells(scenarios, 'uws', settings.uwsWorkers, data.products);
  cells = cells.filter((cell) => !args.only || cell.id.includes(args.only));
  if (cells.length === 0) throw new Error(`no cell matches --only ${args.only}`);
  console.log(`bench: ${mode} run, ${cells.length} cells, ${timing.repeats} × ${timing.durationSec} s after ${timing.warmupSec} s warm-up, ` +
    `${scenarios.connections} connections, driver ${driver.name} ${driver.version}`);
  console.log(`bench: preflight checked ${checked.checked} endpoints: ${checked.problems.length === 0 ? 'all 200, right shape, identical across runtimes and sources' : `${checked.problems.length} problems`}`);
  for (const problem of checked.problems) console.log(`  ✗ ${problem}`);
  if (checked.problems.length > 0) {
    console.error('bench: refusing to time endpoints that do not answer correctly; fix the problems above (make seed rebuilds the data)');
    return 1;
  }

  // Cells, grouped by the runtime start they need, one runtime running at a time.
  const measured: Cell[] = [];
  const progress = createProgress();
  const groups = new Map<string, CellPlan[]>();
  for (const cell of cells) {
    const key = `${cell.runtime} ${JSON.stringify(runtimeEnv(cell))}`;
    groups.set(key, [...(groups.get(key) ?? []), cell]);
  }
  try {
    for (const group of groups.values()) {
      const first = group[0]!;
      const runtime = await launch(first.runtime, runtimeEnv(first));
      try {
        const target: Target = { driver, url: runtime.url, pid: runtime.process.pid!, ids, metricsUrl: `${runtime.url}/metrics` };
        for (const cell of group) {
          const probe = await fetch(`${runtime.url}${scenarioPath(scenarios, cell.entity, cell.source, cell.operation, ids.get(cell.entity)?.[0], cell.listQuery)}`);
          await probe.arrayBuffer();
          if (probe.status !== 200) throw new Error(`${cell.id}: the endpoint answered ${probe.status} before timing`);
          const result = await measureCell(cell, scenarios, timing, target);
          measured.push(result);
          progress.update('cells', measured.length, cells.length);
          process.stdout.write(`${formatCell(result)}\n`);
        }
      } finally {
        await runtime.stop();
      }
    }
  } finally {
    progress.stop();
  }

  const baselines = (args.baseline ?? (!quick && !into)) && runtimes.includes('uws') ? { uwsConstant: await measureBareUws(ids) } : undefined;
  if (into) {
    const report = await mergeInto(into, measured, baselines);
    console.log(`bench: ${measured.length} cells merged into ${into}; report in ${report}`);
    return exitCode(measured);
  }

  const results: BenchResults = {
    schema: RESULTS_SCHEMA,
    startedAt,
    finishedAt: new Date().toISOString(),
    mode,
    // The Makefile names the target it runs (make bench also adds the scale cells in later steps).
    command: process.env.BENCH_COMMAND ?? `node dist/bench/run.js ${process.argv.slice(2).join(' ')}`.trim(),
    driver: { name: driver.name, version: driver.version },
    machine: machineInfo(),
    data,
    settings: {
      connections: scenarios.connections, durationSec: timing.durationSec, warmupSec: timing.warmupSec, repeats: timing.repeats,
      forkWorkers: settings.forkWorkers, uwsWorkers: settings.uwsWorkers, forkPersistent: settings.forkPersistent,
    },
    preflight: { checked: checked.checked, problems: checked.problems },
    cells: measured,
    ...(baselines && { baselines }),
  };
  // One file per mode, replaced by each run (git keeps the history of the committed full one).
  const file = join(args.out!, `${mode}.json`);
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  const report = args.report ?? (quick ? join(args.out!, 'RESULTS-quick.md') : 'RESULTS.md');
  // Charts beside the results, linked relative to the report's folder.
  await writeReport(file, report, relative(dirname(report), join(args.out!, quick ? 'charts-quick' : 'charts')));
  console.log(`bench: results in ${file}, report in ${report}`);
  return exitCode(measured);
}

/** 2 when any cell had errors (the report flags them), 0 otherwise. */
function exitCode(measured: readonly Cell[]): number {
  const failed = measured.filter((c) => c.summary.errors + c.summary.non2xx > 0);
  if (failed.length === 0) return 0;
  console.error(`bench: ${failed.length} cells had errors; the report flags them: ${failed.map((c) => c.id).join(', ')}`);
  return 2;
}

/** The bare uWS reference: same worker count, a constant body of the size of a product projection. */
async function measureBareUws(ids: ReadonlyMap<string, readonly number[]>): Promise<NonNullable<NonNullable<BenchResults['baselines']>['uwsConstant']>> {
  const sample = await launch('uws', {});
  let bodyBytes: number;
  try {
    const product = await fetch(`${sample.url}${scenarioPath(scenarios, 'products', 'redis', 'get', ids.get('products')?.[0])}`);
    bodyBytes = (await product.arrayBuffer()).byteLength;
  } finally {
    await sample.stop();
  }
  const server = await launchRuntime({ name: 'uws-constant', port: await findFreePort(), env: { BASELINE_BODY_BYTES: String(bodyBytes) }, logFile: join(logDir, 'uws-constant.log') });
  try {
    const runs = await measureRuns(() => ['/'], scenarios.connections, timing, { driver, url: server.url, pid: server.process.pid!, ids });
    const summary = summarise(runs);
    process.stdout.write(`${'bare uWS constant'.padEnd(44)} ${Math.round(summary.rps.median).toString().padStart(7)} req/s (${bodyBytes} bytes)\n`);
    return { workers: settings.uwsWorkers, bodyBytes, runs, summary };
  } finally {
    await server.stop();
  }
}

/** Replaces the cells of the same ids in an existing results file, then renders its report; returns the report path. */
async function mergeInto(file: string, measured: readonly Cell[], baselines: BenchResults['baselines']): Promise<string> {
  const merged = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
  const ids = new Set(measured.map((c) => c.id));
  const cells = [...merged.cells.filter((c) => !ids.has(c.id)), ...measured];
  // Schema 2 only adds fields: an older file with newer cells is a schema-2 file.
  writeFileSync(file, `${JSON.stringify({ ...merged, schema: RESULTS_SCHEMA, cells, ...(baselines && { baselines }) }, null, 2)}\n`);
  const report = args.report ?? 'RESULTS.md';
  await writeReport(file, report, relative(dirname(report), join(dirname(file), 'charts')));
  return report;
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(`bench: ${(err as Error).message}`);
  process.exit(1);
});

// The benchmark run behind `make bench` / `make bench-quick` (entry point: cli/bench.ts): every runtime × entity
// × source × operation, the worker sweep and the read modes, measured one runtime at a time, written as JSON
// under bench/results/ and rendered into a report. Talks to the runtimes over HTTP only (and reads /proc for
// their CPU and memory).
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type Config, type RuntimeSettings } from '../core/index.js';
import { findFreePort, launchRuntime, type LaunchedRuntime } from '../runtimes/launcher.js';
import { selectDriver, type Driver } from './drivers/index.js';
import { machineInfo } from './machine.js';
import { CellMeasurement, measureRuns, summarise } from './measure.js';
import { planTurns } from './turns.js';
import { FLOOR_ENTITY, planCells, planFloorCells, planScaleCells, planWriteCells, runtimeEnv, type CellPlan } from './plan.js';
import { fetchIds, preflight } from './preflight.js';
import { DRIVER_BOUND, driverBoundReason, driverCeiling, type DriverCeiling } from './driverBound.js';
import { profileCell } from './profile/profileCell.js';
import { RESULTS_SCHEMA, type BenchResults, type Cell, type CellProfile, type EntityName, type FloorName, type ReadModelCheck, type RuntimeName } from './results.js';
import { loadScenarios, scenarioPath, type Scenarios, type Timing } from './scenarios.js';
import { createRows } from './writes.js';

export interface BenchOptions {
  /**
   * Renders the report of a results file once it is written (cli/bench.ts passes bench/report/'s writeReport):
   * measuring never imports the report.
   */
  readonly writeReport?: (resultsFile: string, report: string, chartsDir?: string) => Promise<void>;
  /** The short timings of bench/scenarios.json (`quick`), matrix only unless sweep/reads say otherwise. */
  readonly quick: boolean;
  readonly runtimes: readonly RuntimeName[];
  /** The worker sweep and the read modes (default: in the full run only). */
  readonly sweep?: boolean;
  readonly reads?: boolean;
  /** The floors (bench/floors/) and the CPU profiles of a few cells (bench/profile/) (default: in the full run only). */
  readonly floors?: boolean;
  readonly profile?: boolean;
  /** Only the CPU profiles (no timed cell), merged into `into`: to profile again without measuring again. */
  readonly profilesOnly?: boolean;
  /** The data-path knobs: auto-pipelining and JSON encoding against the baseline (default: in the full run only). */
  readonly knobs?: boolean;
  /**
   * The write cells and the mixed cells (default: all of them in the full run, writes.quick's in a quick one); the
   * read model is verified after each, and the configured data set restored after them.
   */
  readonly writes?: boolean;
  /** Measure the scale cells for the data set loaded now (make bench does it at 1k and 100k products). */
  readonly scale?: boolean;
  /** Only the cells whose id contains this, e.g. `products/redis/get`. */
  readonly only?: string;
  /** Seconds per timed repeat instead of the scenario's. */
  readonly durationSec?: number;
  /** Timed repeats per cell instead of the scenario's (more repeats: steadier medians and paired ratios). */
  readonly repeats?: number;
  /** Folder of the results file, the charts and the runtimes' logs. */
  readonly out: string;
  /** The report's path (default RESULTS.md, or RESULTS-quick.md beside the results for a quick run). */
  readonly report?: string;
  /** Merge the measured cells into this results file (replacing cells of the same id) and render its report. */
  readonly into?: string;
  /** The command line recorded in the results and shown in the report. */
  readonly command: string;
  /** Told after each timed repeat (`total`: cells × repeats). */
  readonly onProgress?: (done: number, total: number) => void;
}

type UwsConstant = NonNullable<NonNullable<BenchResults['baselines']>['uwsConstant']>;

/** What the preflight learnt: every endpoint checked, the ids to request, the size of each entity. */
interface Checked {
  readonly checked: number;
  readonly problems: readonly string[];
  readonly ids: ReadonlyMap<string, readonly number[]>;
  readonly data: Record<EntityName, number>;
}

/** One benchmark run. `run()` resolves with the exit code: 0, 1 when the preflight failed, 2 when a cell had errors. */
export class BenchRun {
  private readonly scenarios: Scenarios = loadScenarios();
  private readonly timing: Timing;
  /** The configuration read once: the runtimes' settings, the prefix of the JSON cells' key space, what the results record. */
  private readonly config: Config = loadConfig();
  private readonly settings: RuntimeSettings = this.config.runtimes;
  private readonly redisPrefix: string = this.config.redisPrefix;
  private readonly driver: Driver = selectDriver();
  private readonly logDir: string;
  private readonly mode: 'quick' | 'full';
  private ceiling: DriverCeiling | null = null;
  /** The read model verified after each write and mixed cell. */
  private readonly readModelChecks: ReadModelCheck[] = [];

  constructor(private readonly options: BenchOptions) {
    this.mode = options.quick ? 'quick' : 'full';
    const timing = options.quick ? this.scenarios.quick : this.scenarios;
    this.timing = { ...timing, ...(options.durationSec !== undefined && { durationSec: options.durationSec }), ...(options.repeats !== undefined && { repeats: options.repeats }) };
    this.logDir = join(options.out, 'logs');
  }

  async run(): Promise<number> {
    const startedAt = new Date().toISOString();
    mkdirSync(this.logDir, { recursive: true });
    const checked = await this.checkEndpoints();
    const cells = this.selectCells(checked.data, checked.ids);
    this.announce(cells, checked);
    if (checked.problems.length > 0) {
      console.error('bench: refusing to time endpoints that do not answer correctly; fix the problems above (make seed rebuilds the data)');
      return 1;
    }
    const { into } = this.options;
    // First the load generator's ceiling (a merged run keeps the ceiling of the run it is merged into).
    const baselines = into ? undefined : { uwsConstant: await this.measureBareUws(checked.ids) };
    if (baselines) this.announceCeiling(baselines.uwsConstant);
    this.ceiling = driverCeiling(into ? (JSON.parse(readFileSync(into, 'utf8')) as BenchResults) : { baselines });
    const measured = this.options.profilesOnly ? [] : await this.measureCells(cells, checked.ids);
    const profiles = (this.options.profile ?? (this.options.profilesOnly || (!this.options.quick && !this.options.scale))) ? await this.profileCells(checked.ids) : undefined;
    // After the profiles too: a profiled command adds rows as its cell did.
    const wrote = measured.some((c) => c.group === 'writes' || c.group === 'mixed') || (profiles ?? []).some((p) => p.operation === 'create');
    const restoredExitCode = wrote ? await this.restoreDataSet() : undefined;
    if (into) {
      const report = await this.mergeInto(into, measured, baselines, profiles, restoredExitCode);
      console.log(`bench: ${measured.length} cells${profiles ? ` and ${profiles.length} profiles` : ''} merged into ${into}; report in ${report}`);
    } else {
      const { file, report } = await this.writeResults({ startedAt, checked, measured, baselines, profiles, restoredExitCode });
      console.log(`bench: results in ${file}, report in ${report}`);
    }
    return exitCode(measured, this.readModelChecks, restoredExitCode);
  }

  /** A runtime on a free port, logging into `<logName>.log` (its own file when it runs beside another start of the same runtime). */
  private launch(name: RuntimeName, env: Record<string, string>, logName: string = name): Promise<LaunchedRuntime> {
    return findFreePort().then((port) => launchRuntime({ name, port, env, logFile: join(this.logDir, `${logName}.log`) }));
  }

  /** All runtimes up together; every endpoint answered alike (status, shape, identical bodies); the ids to request. */
  private async checkEndpoints(): Promise<Checked> {
    const all = new Map<RuntimeName, LaunchedRuntime>();
    try {
      for (const name of this.options.runtimes) all.set(name, await this.launch(name, {}));
      const urls = new Map([...all].map(([name, r]) => [name, r.url]));
      const { checked, problems } = await preflight(urls, this.scenarios);
      const first = [...urls.values()][0]!;
      const ids = new Map<string, readonly number[]>();
      const data = {} as Record<EntityName, number>;
      for (const entity of this.scenarios.entities) {
        const list = await fetchIds(first, entity);
        ids.set(entity, list);
        data[entity] = list.length;
      }
      return { checked, problems, ids, data };
    } finally {
      await Promise.all([...all.values()].map((r) => r.stop()));
    }
  }

  private selectCells(data: Record<EntityName, number>, ids: ReadonlyMap<string, readonly number[]>): CellPlan[] {
    const { quick, scale, only, runtimes, sweep, reads } = this.options;
    const planned = scale
      ? planScaleCells(this.scenarios, 'uws', this.settings.uwsWorkers, data.products, { ids: ids.get('products') ?? [], dbMaxOffset: this.config.dbMaxOffset })
      : planCells(this.scenarios, {
        runtimes: [...runtimes], forkWorkers: this.settings.forkWorkers, uwsWorkers: this.settings.uwsWorkers,
        sweep: sweep ?? !quick, reads: reads ?? !quick, persistent: !quick && !this.settings.forkPersistent, floors: this.options.floors ?? !quick,
        knobs: this.options.knobs ?? !quick, ...((this.options.writes ?? true) && { writes: quick ? 'quick' : 'all' }),
      });
    if (this.options.profilesOnly) {
      if (!this.options.into) throw new ConfigError('--profiles-only merges profiles into a results file: give --into');
      return [];
    }
    const cells = planned.filter((cell) => !only || cell.id.includes(only));
    if (cells.length === 0) throw new ConfigError(`no cell matches --only ${only}`);
    return cells;
  }

  private announce(cells: readonly CellPlan[], checked: Checked): void {
    const { timing, scenarios, driver } = this;
    console.log(`bench: ${this.mode} run, ${cells.length} cells, ${timing.repeats} × ${timing.durationSec} s after ${timing.warmupSec} s warm-up, ` +
      `${scenarios.connections} connections, driver ${driver.name} ${driver.version}`);
    console.log(`bench: preflight checked ${checked.checked} endpoints: ${checked.problems.length === 0 ? 'all 200, right shape, identical across runtimes and sources' : `${checked.problems.length} problems`}`);
    for (const problem of checked.problems) console.log(`  ✗ ${problem}`);
  }

  private announceCeiling(constant: UwsConstant): void {
    const { rps, driverCpuPct } = constant.summary;
    console.log(`bench: load generator ${this.driver.name} ${this.driver.version}: ceiling ${Math.round(rps.median)} req/s against the bare uWS constant ` +
      `(load generator at ${Math.round(driverCpuPct)}% of a core); a cell within ${Math.round((1 - DRIVER_BOUND.ceilingShare) * 100)}% of it, or with the load generator ` +
      `at ≥ ${DRIVER_BOUND.driverCpuPct}% of a core, is flagged driver-bound and its targets inconclusive`);
  }

  /**
   * The cells, family by family (bench/turns.ts): the servers of a family started together, then round by round
   * one timed repeat of each cell in turn, so that a runtime and its floors, or the settings of a knob, are
   * measured seconds apart rather than minutes.
   */
  private async measureCells(cells: readonly CellPlan[], ids: ReadonlyMap<string, readonly number[]>): Promise<Cell[]> {
    const measured: Cell[] = [];
    const total = cells.length * this.timing.repeats;
    let done = 0;
    for (const family of planTurns(cells, this.redisPrefix)) {
      const servers = new Map<string, LaunchedRuntime>();
      try {
        for (const start of family.starts) servers.set(start.key, await this.startServer(start.cells[0]!));
        const measurements = family.turns.map(({ start, cell }) => {
          const server = servers.get(start.key)!;
          return new CellMeasurement(cell, this.scenarios, this.timing, { driver: this.driver, url: server.url, pid: server.process.pid!, ids, metricsUrl: `${server.url}/metrics` });
        });
        for (let round = 0; round < this.timing.repeats; round++) {
          for (const measurement of measurements) {
            if (round === 0) {
              await this.probe(measurement.target.url, measurement.plan, ids);
              await measurement.warmUp();
            }
            await measurement.repeat();
            this.options.onProgress?.(++done, total);
            if (!measurement.done) continue;
            const result = measurement.cell();
            measured.push(result);
            process.stdout.write(`${formatCell(result, driverBoundReason(result, this.ceiling))}\n`);
            if ((result.group === 'writes' && !result.writeFloor) || result.group === 'mixed') await this.verifyReadModel(result.id);
          }
        }
      } finally {
        await Promise.all([...servers.values()].map((server) => server.stop()));
      }
    }
    return measured;
  }

  /** The server a cell is measured on (a runtime or a floor), started with the cell's environment and ready to time. */
  private async startServer(cell: CellPlan): Promise<LaunchedRuntime> {
    const env = runtimeEnv(cell, this.redisPrefix);
    if (cell.floor) return this.launchFloor(cell.floor, cell.runtime, env);
    if (cell.writeFloor) return this.launchFloor('write', cell.runtime, env);
    const logName = cell.group === 'knobs' ? `${cell.runtime}-${cell.knob}` : cell.group === 'persistent' ? `${cell.runtime}-persistent` : cell.runtime;
    const runtime = await this.launch(cell.runtime, env, logName);
    try {
      await waitForReadModel(runtime.url, env.REDIS_PREFIX ?? this.redisPrefix);
      return runtime;
    } catch (error) {
      await runtime.stop();
      throw error;
    }
  }

  /** A floor server (bench/floors/), started by the launcher like a runtime; `runtime` is the runtime it is the floor of. */
  private async launchFloor(floor: FloorName | 'write', runtime: RuntimeName, env: Record<string, string>): Promise<LaunchedRuntime> {
    const port = await findFreePort();
    return launchRuntime({ name: runtime, port, script: floorScript(floor), env: { ...env, FLOOR_PORT: String(port) }, logFile: join(this.logDir, `floor-${floor}.log`) });
  }

  /**
   * After the timed cells: products get and page from MySQL and from Redis on each runtime, and products create
   * with the write floor, again, each on a fresh start with every process and thread under V8's CPU profiler
   * (bench/profile/); the profiles stay in logs/profiles/.
   */
  private async profileCells(ids: ReadonlyMap<string, readonly number[]>): Promise<CellProfile[]> {
    const options = { runtimes: [...this.options.runtimes], forkWorkers: this.settings.forkWorkers, uwsWorkers: this.settings.uwsWorkers, sweep: false, reads: false };
    const picked = (c: CellPlan) => !this.options.only || c.id.includes(this.options.only);
    const wanted = (c: CellPlan) => c.entity === FLOOR_ENTITY && picked(c);
    // Fork's Redis cells with FORK_PERSISTENT=1 too: they are what the FPM-like floor is the floor of.
    const cells = planCells(this.scenarios, { ...options, persistent: true })
      .filter((c) => wanted(c) && (c.group === 'matrix' || (c.group === 'persistent' && c.source === 'redis')));
    // The floors of the Redis cells too: what a runtime adds over its floor, category by category.
    const floors = planFloorCells(this.scenarios, options).filter((c) => c.floor !== 'node-http' && c.source === 'redis' && wanted(c));
    // The write floor's command at its largest connection count on each runtime, then the write floor: where a
    // command's CPU goes, and what the runtime adds to the same transaction (runs that write may leave this out).
    const { floor: writeFloor, connections: writeConnections } = this.scenarios.writes;
    const writes = (this.options.writes ?? true)
      ? planWriteCells(this.scenarios, { ...options, writes: 'all' }).filter((c) => c.group === 'writes' && c.entity === writeFloor.entity &&
        c.operation === writeFloor.command && c.connections === Math.max(...writeConnections) && picked(c))
      : [];
    const profiles: CellProfile[] = [];
    // Each floor right after the cell it is the floor of (fork's: its persistent cell), as close together as can be.
    const floorOf = (cell: CellPlan) => (cell.runtime === 'fork' ? cell.group === 'persistent' : true);
    const ordered = [...cells.flatMap((cell) => [cell, ...(floorOf(cell) ? floors.filter((f) => f.runtime === cell.runtime && f.source === cell.source && f.operation === cell.operation) : [])]), ...writes];
    for (const cell of ordered) {
      const dir = join(this.logDir, 'profiles', cell.id.replace(/[/:]/g, '-'));
      // Every process and thread writes one profile: uws's main thread and workers, fork's master and children.
      const expected = cell.runtime === 'express' || cell.writeFloor ? 1 : 1 + cell.workers;
      const env = runtimeEnv(cell, this.redisPrefix);
      const profile = await profileCell(cell, this.scenarios, this.timing, dir, expected,
        (profiler) => (cell.floor || cell.writeFloor ? this.launchFloor(cell.floor ?? 'write', cell.runtime, { ...env, ...profiler }) : this.launch(cell.runtime, { ...env, ...profiler })), { driver: this.driver, ids });
      profiles.push(profile);
      const busy = Object.entries(profile.categories).filter(([c]) => c !== 'idle').sort((a, b) => b[1] - a[1]);
      const total = busy.reduce((sum, [, us]) => sum + us, 0);
      const perRequest = (us: number) => (profile.requests > 0 ? us / profile.requests : 0);
      process.stdout.write(`${`profile ${cell.id}`.padEnd(44)} ${profile.profiles} profiles, ${Math.round(perRequest(total))} µs/request: ` +
        `${busy.slice(0, 3).map(([c, us]) => `${c} ${Math.round(perRequest(us))}`).join(', ')}\n`);
    }
    return profiles;
  }

  /** One request before timing a cell: it must answer 200 (a write cell's: its entity created, 201). */
  private async probe(url: string, cell: CellPlan, ids: ReadonlyMap<string, readonly number[]>): Promise<void> {
    if (cell.group === 'writes') {
      await createRows(url, this.scenarios, cell.writeFloor ? this.scenarios.writes.floor.entity : cell.entity, ids, { count: 1 }, 1);
      return;
    }
    if (cell.operation !== 'get' && cell.operation !== 'list') return;
    const probe = await fetch(`${url}${scenarioPath(this.scenarios, cell.entity, cell.source, cell.operation, ids.get(cell.entity)?.[0], cell.listQuery)}`);
    await probe.arrayBuffer();
    if (probe.status !== 200) throw new Error(`${cell.id}: the endpoint answered ${probe.status} before timing`);
  }

  /** The bare uWS reference: same worker count, a constant body of the size of a product projection. */
  private async measureBareUws(ids: ReadonlyMap<string, readonly number[]>): Promise<UwsConstant> {
    const sample = await this.launch('uws', {});
    let bodyBytes: number;
    try {
      const product = await fetch(`${sample.url}${scenarioPath(this.scenarios, 'products', 'redis', 'get', ids.get('products')?.[0])}`);
      bodyBytes = (await product.arrayBuffer()).byteLength;
    } finally {
      await sample.stop();
    }
    const server = await launchRuntime({ name: 'uws-constant', port: await findFreePort(), env: { BASELINE_BODY_BYTES: String(bodyBytes) }, logFile: join(this.logDir, 'uws-constant.log') });
    try {
      const runs = await measureRuns(() => ({ paths: ['/'] }), this.scenarios.connections, this.timing, { driver: this.driver, url: server.url, pid: server.process.pid!, ids });
      const summary = summarise(runs);
      process.stdout.write(`${'bare uWS constant'.padEnd(44)} ${Math.round(summary.rps.median).toString().padStart(7)} req/s (${bodyBytes} bytes)\n`);
      return { workers: this.settings.uwsWorkers, bodyBytes, runs, summary };
    } finally {
      await server.stop();
    }
  }

  /**
   * The read model against MySQL (the `make verify-projections` entry point), after a write or mixed cell. A
   * command still in flight when the load stopped may be projecting: a mismatch is checked once more after 2 s.
   */
  private async verifyReadModel(after: string): Promise<void> {
    let run = await runEntryPoint('verify-projections.js', join(this.logDir, 'verify-projections.log'));
    if (run.code === 1) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      run = await runEntryPoint('verify-projections.js', join(this.logDir, 'verify-projections.log'));
    }
    const counts = /(\d+) ids and (\d+) pages compared, (\d+) mismatch/.exec(run.output);
    const check: ReadModelCheck = { after, ids: Number(counts?.[1] ?? 0), pages: Number(counts?.[2] ?? 0), mismatches: Number(counts?.[3] ?? 0), exitCode: run.code };
    this.readModelChecks.push(check);
    process.stdout.write(`  read model after ${after}: ${check.exitCode === 0 ? 'clean' : check.exitCode === 1 ? `${check.mismatches} MISMATCHES` : `VERIFIER FAILED (exit ${check.exitCode})`}` +
      ` (${check.ids} ids and ${check.pages} pages compared)\n`);
  }

  /** The configured data set again (the `make seed` entry point: deterministic), after the write cells added rows. */
  private async restoreDataSet(): Promise<number> {
    console.log('bench: restoring the configured data set after the write cells (make seed)');
    const { code } = await runEntryPoint('seed.js', join(this.logDir, 'seed-after-writes.log'));
    if (code !== 0) console.error(`bench: restoring the data set failed (exit ${code}); see ${join(this.logDir, 'seed-after-writes.log')}`);
    return code;
  }

  /** The results file of this mode (replaced by each run; git keeps the committed full one's history) and its report. */
  private async writeResults(run: { startedAt: string; checked: Checked; measured: Cell[]; baselines: BenchResults['baselines']; profiles?: CellProfile[]; restoredExitCode?: number }): Promise<{ file: string; report: string }> {
    const { out, quick } = this.options;
    const { timing, scenarios, settings, driver } = this;
    const results: BenchResults = {
      schema: RESULTS_SCHEMA,
      startedAt: run.startedAt,
      finishedAt: new Date().toISOString(),
      mode: this.mode,
      command: this.options.command,
      driver: { name: driver.name, version: driver.version },
      machine: machineInfo(),
      data: run.checked.data,
      settings: {
        connections: scenarios.connections, durationSec: timing.durationSec, warmupSec: timing.warmupSec, repeats: timing.repeats,
        forkWorkers: settings.forkWorkers, uwsWorkers: settings.uwsWorkers, forkPersistent: settings.forkPersistent,
        dbMaxOffset: this.config.dbMaxOffset, redisAutoPipelining: this.config.redisAutoPipelining, projectionEncoding: this.config.projectionEncoding,
      },
      preflight: { checked: run.checked.checked, problems: [...run.checked.problems] },
      cells: run.measured,
      ...(run.baselines && { baselines: run.baselines }),
      ...(run.profiles && { profiles: run.profiles }),
      ...(this.readModelChecks.length > 0 && { readModelChecks: this.readModelChecks }),
      ...(run.restoredExitCode !== undefined && { restoredExitCode: run.restoredExitCode }),
    };
    const file = join(out, `${this.mode}.json`);
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
    const report = this.options.report ?? (quick ? join(out, 'RESULTS-quick.md') : 'RESULTS.md');
    // Charts beside the results, linked relative to the report's folder.
    await this.options.writeReport?.(file, report, relative(dirname(report), join(out, quick ? 'charts-quick' : 'charts')));
    return { file, report };
  }

  /** Replaces the cells and profiles of the same ids in an existing results file, then renders its report; returns the report path. */
  private async mergeInto(file: string, measured: readonly Cell[], baselines: BenchResults['baselines'], profiled?: readonly CellProfile[], restoredExitCode?: number): Promise<string> {
    const merged = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
    const ids = new Set(measured.map((c) => c.id));
    const cells = [...merged.cells.filter((c) => !ids.has(c.id)), ...measured];
    const profileIds = new Set((profiled ?? []).map((p) => p.id));
    const profiles = profiled ? [...(merged.profiles ?? []).filter((p) => !profileIds.has(p.id)), ...profiled] : merged.profiles;
    // Schema 2 only adds fields: an older file with newer cells is a schema-2 file.
    const after = new Set(this.readModelChecks.map((c) => c.after));
    const readModelChecks = [...(merged.readModelChecks ?? []).filter((c) => !after.has(c.after)), ...this.readModelChecks];
    writeFileSync(file, `${JSON.stringify({
      ...merged, schema: RESULTS_SCHEMA, cells, ...(baselines && { baselines }), ...(profiles && { profiles }),
      ...(readModelChecks.length > 0 && { readModelChecks }), ...(restoredExitCode !== undefined && { restoredExitCode }),
    }, null, 2)}\n`);
    const report = this.options.report ?? 'RESULTS.md';
    await this.options.writeReport?.(file, report);
    return report;
  }
}

/**
 * Until the runtime's /healthz says its read model is `ok`: a runtime started on a key space without one (the
 * JSON-encoding cells' own prefix, the first time) rebuilds it itself; timing it meanwhile would time 404s.
 */
export async function waitForReadModel(url: string, prefix: string, timeoutMs = 300_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let said = false;
  for (;;) {
    const health = await fetch(`${url}/healthz`).then((r) => r.json() as Promise<{ read_model?: string }>, () => undefined);
    if (health?.read_model === 'ok') return;
    if (Date.now() > deadline) throw new Error(`${url}: the read model under ${prefix} is still ${health?.read_model ?? 'unknown'} after ${timeoutMs / 1000} s`);
    if (!said) {
      console.log(`bench: waiting for the read model under ${prefix} (${health?.read_model ?? 'unknown'}): the runtime rebuilds it`);
      said = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** The server script of a floor (bench/floors/); it listens on FLOOR_PORT. */
export function floorScript(floor: FloorName | 'write'): string {
  return fileURLToPath(new URL(`./floors/${floor === 'node-http' ? 'http' : floor}.js`, import.meta.url));
}

function formatCell(cell: Cell, driverBound: string | null): string {
  const s = cell.summary;
  const flag = (s.errors + s.non2xx > 0 ? `  ERRORS ${s.errors} non2xx ${s.non2xx}` : '') + (driverBound ? `  DRIVER-BOUND (${driverBound})` : '');
  return `${cell.id.padEnd(44)} ${Math.round(s.rps.median).toString().padStart(7)} req/s  p50 ${s.p50.toFixed(2)} p99 ${s.p99.toFixed(2)} ms  server CPU ${Math.round(s.serverCpuPct)}%  load CPU ${Math.round(s.driverCpuPct)}%${flag}`;
}

/** 2 when any cell had errors, the read model did not match MySQL after a write cell, or the restore failed (the report flags them); 0 otherwise. */
function exitCode(measured: readonly Cell[], checks: readonly ReadModelCheck[], restoredExitCode?: number): number {
  const failed = measured.filter((c) => c.summary.errors + c.summary.non2xx > 0);
  const unclean = checks.filter((c) => c.exitCode !== 0);
  if (failed.length > 0) console.error(`bench: ${failed.length} cells had errors; the report flags them: ${failed.map((c) => c.id).join(', ')}`);
  if (unclean.length > 0) console.error(`bench: the read model did not match MySQL after ${unclean.map((c) => c.after).join(', ')}`);
  if (restoredExitCode !== undefined && restoredExitCode !== 0) console.error('bench: the data set was not restored after the write cells');
  return failed.length + unclean.length > 0 || (restoredExitCode ?? 0) !== 0 ? 2 : 0;
}

/** A command-line entry point (dist/cli/), as `make` runs it, its output kept in `logFile`. */
function runEntryPoint(script: string, logFile: string): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fileURLToPath(new URL(`../cli/${script}`, import.meta.url))], { env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', (error) => { output += String(error); });
    child.on('close', (code) => {
      writeFileSync(logFile, output, { flag: 'a' });
      resolve({ code: code ?? 1, output });
    });
  });
}

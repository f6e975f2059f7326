import { seededRandom } from './random.js';
import type { Driver } from './drivers/index.js';
import type { LoadSpec } from './drivers/autocannon.js';
import { MetricsTimelineSampler } from './MetricsTimelineSampler.js';
import { ProcessSampler, type SamplerResult } from './ProcessSampler.js';
import type { CellPlan } from './plan.js';
import type { Cell, CellSummary, Run, Timeline } from './results.js';
import { scenarioPath, type Scenarios, type Timing } from './scenarios.js';
import { createRequests, createRows, mixedRequests, rowRequests } from './writes.js';

export interface Target {
  /** The load generator. */
  readonly driver: Driver;
  readonly url: string;
  readonly pid: number;
  /** Ids per entity that exist, for get scenarios. */
  readonly ids: ReadonlyMap<string, readonly number[]>;
  /** The runtime's /metrics, scraped every second of a timed run into its timeline; absent: no timeline. */
  readonly metricsUrl?: string;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return 0;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarise(runs: readonly Run[]): CellSummary {
  const rps = runs.map((r) => r.rps);
  return {
    rps: { median: median(rps), min: Math.min(...rps), max: Math.max(...rps) },
    p50: median(runs.map((r) => r.latency.p50)),
    p95: median(runs.map((r) => r.latency.p95)),
    p99: median(runs.map((r) => r.latency.p99)),
    errors: runs.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
    non2xx: runs.reduce((sum, r) => sum + r.non2xx, 0),
    serverCpuPct: median(runs.map((r) => r.serverCpuPct)),
    serverPeakRssMiB: Math.max(...runs.map((r) => r.serverPeakRssMiB)),
    driverCpuPct: median(runs.map((r) => r.driverCpuPct)),
  };
}

/** Distinct random ids a get run cycles through. */
const IDS_PER_RUN = 1000;

/** What one timed run sends: paths to GET, or (write and mixed cells) requests of any method. */
export type Load = Pick<LoadSpec, 'paths' | 'requests'>;
/**
 * The load of a run: `seed` for its random ids, `seconds` how long it lasts, `previous` the run before it (the
 * warm-up included): a delete cell creates rows for it first, as many as the previous run's rate would need.
 */
export type LoadSource = (seed: number, seconds: number, previous?: Run) => Load | Promise<Load>;

/** Request paths of a read cell: a page, or gets of random existing ids (seeded, so a run's ids are reproducible). */
export function pathsOf(cell: CellPlan, scenarios: Scenarios, target: Target, seed: number): string[] {
  if (cell.operation === 'list') return [scenarioPath(scenarios, cell.entity, cell.source, 'list', undefined, cell.listQuery)];
  if (cell.operation !== 'get') throw new Error(`${cell.id} is not a read cell`);
  const ids = target.ids.get(cell.entity) ?? [];
  if (ids.length === 0) throw new Error(`no ${cell.entity} ids to read: seed first`);
  const random = seededRandom(seed);
  return Array.from({ length: IDS_PER_RUN }, () => scenarioPath(scenarios, cell.entity, cell.source, 'get', ids[Math.floor(random() * ids.length)]));
}

/**
 * What a cell's runs send. A write cell sends its command (bench/writes.ts): a create, or an update or delete of
 * rows it creates itself first — the update rows once, fresh rows to delete before every run — so the repeats never
 * meet each other's rows or the seeded data. The mixed cell sends reads and commands, one in ten.
 */
export function loadOf(cell: CellPlan, scenarios: Scenarios, target: Target): LoadSource {
  if (cell.group === 'mixed') return (seed) => ({ paths: [], requests: mixedRequests(scenarios, target.ids, seed) });
  if (cell.group !== 'writes') return (seed) => ({ paths: pathsOf(cell, scenarios, target, seed) });
  const { entity, operation } = cell;
  // Setup at the cell's own concurrency (at least 4): rows come about as fast as the cell will use them.
  const concurrency = Math.max(4, cell.connections ?? 1);
  let updateRows: Promise<number[]> | undefined;
  return async (seed, seconds, previous) => {
    if (operation === 'create') return { paths: [], requests: createRequests(scenarios, entity, target.ids, seed) };
    if (operation === 'update') {
      updateRows ??= createRows(target.url, scenarios, entity, target.ids, { count: scenarios.writes.updateRows }, concurrency);
      return { paths: [], requests: rowRequests(scenarios, entity, 'update', await updateRows) };
    }
    if (operation !== 'delete') throw new Error(`${cell.id}: no such command`);
    const { deleteSetupFactor } = scenarios.writes;
    const enough = previous ? Math.ceil(previous.rps * seconds * deleteSetupFactor) : undefined;
    const rows = await createRows(target.url, scenarios, entity, target.ids, { seconds: seconds * deleteSetupFactor, count: enough }, concurrency);
    return { paths: [], requests: rowRequests(scenarios, entity, 'delete', rows) };
  };
}

async function timedRun(load: Load, connections: number, target: Target, durationSec: number, watch: boolean): Promise<Run> {
  const sampler = new ProcessSampler(target.pid);
  const metrics = watch && target.metricsUrl ? new MetricsTimelineSampler(target.metricsUrl) : undefined;
  sampler.start();
  metrics?.start();
  let result: Awaited<ReturnType<Driver['run']>>;
  let server: SamplerResult;
  let timeline: Timeline | undefined;
  const startedAt = new Date().toISOString();
  try {
    result = await target.driver.run({ baseUrl: target.url, ...load, connections, durationSec });
  } finally {
    server = sampler.stop();
    timeline = await metrics?.stop();
  }
  return { ...result, startedAt, serverCpuPct: server.cpuPct, serverPeakRssMiB: server.peakRssMiB, ...(timeline && { timeline }) };
}

/**
 * The timed runs of one load, a repeat at a time, so that the bench can alternate the repeats of what it compares
 * (bench/turns.ts): `warmUp()` once (discarded), then `repeat()` until `done`. `load(seed, seconds)` gives each run
 * what it sends, prepared before its timing starts.
 */
export class RunSeries {
  readonly runs: Run[] = [];
  private last: Run | undefined;

  constructor(private readonly load: LoadSource, private readonly connections: number,
    private readonly timing: Timing, readonly target: Target) {}

  async warmUp(): Promise<void> {
    const seconds = this.timing.warmupSec;
    if (seconds > 0) this.last = await timedRun(await this.load(0, seconds), this.connections, this.target, seconds, false);
  }

  async repeat(): Promise<Run> {
    const seconds = this.timing.durationSec;
    const run = await timedRun(await this.load(this.runs.length + 1, seconds, this.last), this.connections, this.target, seconds, true);
    this.last = run;
    this.runs.push(run);
    return run;
  }

  get done(): boolean {
    return this.runs.length >= this.timing.repeats;
  }

  /** The warm-up, then every repeat, one after the other. */
  async measure(): Promise<Run[]> {
    await this.warmUp();
    while (!this.done) await this.repeat();
    return this.runs;
  }
}

/** Warm-up, then `repeats` timed runs one after the other. */
export function measureRuns(load: LoadSource, connections: number, timing: Timing, target: Target): Promise<Run[]> {
  return new RunSeries(load, connections, timing, target).measure();
}

/** A cell's runs: its request paths and connections, and the cell with its summary once they are done. */
export class CellMeasurement extends RunSeries {
  constructor(readonly plan: CellPlan, scenarios: Scenarios, timing: Timing, target: Target) {
    super(loadOf(plan, scenarios, target), plan.connections ?? scenarios.connections, timing, target);
  }

  cell(): Cell {
    return { ...this.plan, runs: [...this.runs], summary: summarise(this.runs) };
  }
}

/** A cell measured alone: warm-up, then its repeats one after the other. */
export async function measureCell(cell: CellPlan, scenarios: Scenarios, timing: Timing, target: Target): Promise<Cell> {
  const measurement = new CellMeasurement(cell, scenarios, timing, target);
  await measurement.measure();
  return measurement.cell();
}

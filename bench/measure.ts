import { seededRandom } from './random.js';
import type { Driver } from './drivers/index.js';
import { MetricsTimelineSampler } from './MetricsTimelineSampler.js';
import { ProcessSampler, type SamplerResult } from './ProcessSampler.js';
import type { CellPlan } from './plan.js';
import type { Cell, CellSummary, Run, Timeline } from './results.js';
import { scenarioPath, type Scenarios, type Timing } from './scenarios.js';

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

/** Request paths of a cell: a page, or gets of random existing ids (seeded, so a run's ids are reproducible). */
export function pathsOf(cell: CellPlan, scenarios: Scenarios, target: Target, seed: number): string[] {
  if (cell.operation === 'list') return [scenarioPath(scenarios, cell.entity, cell.source, 'list', undefined, cell.listQuery)];
  const ids = target.ids.get(cell.entity) ?? [];
  if (ids.length === 0) throw new Error(`no ${cell.entity} ids to read: seed first`);
  const random = seededRandom(seed);
  return Array.from({ length: IDS_PER_RUN }, () => scenarioPath(scenarios, cell.entity, cell.source, 'get', ids[Math.floor(random() * ids.length)]));
}

async function timedRun(paths: readonly string[], connections: number, target: Target, durationSec: number, watch: boolean): Promise<Run> {
  const sampler = new ProcessSampler(target.pid);
  const metrics = watch && target.metricsUrl ? new MetricsTimelineSampler(target.metricsUrl) : undefined;
  sampler.start();
  metrics?.start();
  let load: Awaited<ReturnType<Driver['run']>>;
  let server: SamplerResult;
  let timeline: Timeline | undefined;
  const startedAt = new Date().toISOString();
  try {
    load = await target.driver.run({ baseUrl: target.url, paths, connections, durationSec });
  } finally {
    server = sampler.stop();
    timeline = await metrics?.stop();
  }
  return { ...load, startedAt, serverCpuPct: server.cpuPct, serverPeakRssMiB: server.peakRssMiB, ...(timeline && { timeline }) };
}

/**
 * The timed runs of one load, a repeat at a time, so that the bench can alternate the repeats of what it compares
 * (bench/turns.ts): `warmUp()` once (discarded), then `repeat()` until `done`. `paths(seed)` gives each run its
 * request paths.
 */
export class RunSeries {
  readonly runs: Run[] = [];

  constructor(private readonly paths: (seed: number) => readonly string[], private readonly connections: number,
    private readonly timing: Timing, readonly target: Target) {}

  async warmUp(): Promise<void> {
    if (this.timing.warmupSec > 0) await timedRun(this.paths(0), this.connections, this.target, this.timing.warmupSec, false);
  }

  async repeat(): Promise<Run> {
    const run = await timedRun(this.paths(this.runs.length + 1), this.connections, this.target, this.timing.durationSec, true);
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
export function measureRuns(paths: (seed: number) => readonly string[], connections: number, timing: Timing, target: Target): Promise<Run[]> {
  return new RunSeries(paths, connections, timing, target).measure();
}

/** A cell's runs: its request paths and connections, and the cell with its summary once they are done. */
export class CellMeasurement extends RunSeries {
  constructor(readonly plan: CellPlan, scenarios: Scenarios, timing: Timing, target: Target) {
    super((seed) => pathsOf(plan, scenarios, target, seed), plan.connections ?? scenarios.connections, timing, target);
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

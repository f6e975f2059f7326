// The machine-readable results of a benchmark run (bench/results/*.json), read by the report.
// Bump `schema` when a field changes meaning. Schema 2 added the runs' timelines; the report reads 1 and 2.

import type { EntityName, ProjectionReads } from '../core/index.js';
import type { RuntimeName } from '../runtimes/launcher.js';
import type { LagPoint, LagTiming, ProjectionMode } from './VisibilityLag.js';

export type { EntityName, RuntimeName };

/**
 * Where a cell's data comes from, as the metrics label it: `db` (the `/db` routes: MySQL) or `redis` (the
 * `/projection` routes: the Redis projections). The URL names the model, the bench and metrics the store.
 */
export type Source = 'db' | 'redis';
export type ReadOperation = 'get' | 'list';
/** A command of a write cell (bench/writes.ts): customers and orders have no update. */
export type WriteCommand = 'create' | 'update' | 'delete';
/** `mixed`: projection reads with a share of commands (a mixed cell). */
export type Operation = ReadOperation | WriteCommand | 'mixed';

/** Which read path served projection reads (PROJECTION_READS): the default, or a stage of the original's. */
export type ReadMode = ProjectionReads;

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** One timed repeat of a cell. Latencies in milliseconds. */
export interface Run {
  readonly rps: number;
  readonly latency: { readonly p50: number; readonly p95: number; readonly p99: number; readonly max: number; readonly mean: number };
  readonly requests: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly timeouts: number;
  readonly durationSec: number;
  /** CPU used by the runtime's whole process tree, in % of one core (200 = both cores of a 2-core machine). */
  readonly serverCpuPct: number;
  readonly serverPeakRssMiB: number;
  /** CPU used by the load generator, in % of one core: it shares the machine with the server. */
  readonly driverCpuPct: number;
  /** When the timed repeat started (absent in older files): the repeats of compared cells alternate (bench/turns.ts). */
  readonly startedAt?: string;
  /** What the runtime's /metrics said during the run (schema 2; absent in older files and for the bare uWS baseline). */
  readonly timeline?: Timeline;
}

/** The runtime's /metrics scraped every `intervalSec` during a timed run (not the warm-up): the dashboards' series. */
export interface Timeline {
  readonly intervalSec: number;
  /** Scrapes that failed or timed out (no point recorded for them). */
  readonly failedScrapes: number;
  readonly points: readonly TimelinePoint[];
}

/**
 * One scrape. A field is absent when the runtime does not serve the metric (express has no worker pool).
 * The scrape is itself a request: it counts 1 in `inFlight` (and, on uws, 1 in `busyWorkers`).
 */
export interface TimelinePoint {
  /** Seconds since the run started. */
  readonly t: number;
  /** Requests answered since the previous scrape (route /metrics excluded) per second. */
  readonly rps: number;
  readonly inFlight: number;
  readonly busyWorkers?: number;
  readonly totalWorkers?: number;
  readonly queueLength?: number;
  /** Event-loop lag p99 since the previous scrape, the worst process or thread, in ms. */
  readonly lagP99Ms?: number;
  /** Event-loop utilisation (0–1) since the previous scrape: mean and max over processes or threads. */
  readonly utilisationMean?: number;
  readonly utilisationMax?: number;
}

export interface CellSummary {
  readonly rps: Spread;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly serverCpuPct: number;
  readonly serverPeakRssMiB: number;
  readonly driverCpuPct: number;
}

/** A list page at a depth: `offset=<depth>`, or `after=<id of the row before it>` (the cursor). */
export interface PageDepth {
  readonly by: 'offset' | 'after';
  /** Rows of the list before the page. */
  readonly depth: number;
}

/**
 * A floor: a minimal server doing exactly what a cell does (same route, same read, same serialisation) and
 * nothing else, on one server model: `uws` (the uws runtime's), `node-http`, `express` (express's) and `fpm` (a
 * master over node:http and children over fork's IPC, connections kept: fork's). Source: bench/floors/.
 */
export type FloorName = 'uws' | 'node-http' | 'express' | 'fpm';

/**
 * The data path's own settings, measured beside each other on the same cell: `baseline` (no auto-pipelining,
 * msgpack), `auto-pipelining` (REDIS_AUTO_PIPELINING=1) and `json-encoding` (PROJECTION_ENCODING=json, under a
 * REDIS_PREFIX of its own), and `both` (the two together: do they add up?). Each sets both knobs explicitly, so the
 * comparison holds whatever the defaults are.
 */
export type DataPathKnob = 'baseline' | 'auto-pipelining' | 'json-encoding' | 'both';

export interface Cell {
  /** e.g. `uws/products/redis/get`, with `@w8` for a sweep point and `~original` for a read mode. */
  readonly id: string;
  /**
   * `scale`: the same scenario at several data sizes (is cost per request flat?); `persistent`: a fork matrix
   * cell again with FORK_PERSISTENT=1 (connections kept across requests), for the bootstrap's share;
   * `floor`: the same scenario on a floor server (`floor`), what `runtime` is measured against; `knobs`: a
   * projection read with one setting of the data path (`knob`), against the others.
   */
  readonly group: 'matrix' | 'sweep' | 'reads' | 'scale' | 'persistent' | 'floor' | 'knobs' | 'writes' | 'mixed';
  /** For `knobs` cells: which setting of the data path served it. */
  readonly knob?: DataPathKnob;
  /** For `floor` cells: which floor server answered (the cell's `runtime` is the runtime it is the floor of). */
  readonly floor?: FloorName;
  /**
   * For `writes` cells: answered by the write floor (bench/floors/write.ts: node:http and mysql2 doing the
   * command's row and outbox event, nothing else), measured in turns with `runtime`'s write cells.
   */
  readonly writeFloor?: boolean;
  readonly runtime: RuntimeName;
  readonly entity: EntityName;
  readonly source: Source;
  readonly operation: Operation;
  /** Pool size (FORK_WORKERS or UWS_WORKERS; 1 for express). */
  readonly workers: number;
  readonly readMode: ReadMode;
  /** Query of a list request, e.g. `limit=50` or `limit=all`. */
  readonly listQuery: string;
  /** Concurrent connections of the load, when not the run's `settings.connections` (the read-mode, write and mixed cells). */
  readonly connections?: number;
  /** For `scale` cells: rows of the entity when measured. */
  readonly rows?: number;
  /** For a `scale` list cell read deeper than the first page: how it pages and how many rows come before it. */
  readonly page?: PageDepth;
  readonly runs: readonly Run[];
  readonly summary: CellSummary;
}

/** The read model checked against MySQL (`make verify-projections`) after a write or mixed cell. */
export interface ReadModelCheck {
  /** The cell after which it ran. */
  readonly after: string;
  readonly ids: number;
  readonly pages: number;
  readonly mismatches: number;
  /** The verifier's exit code: 0 clean, 1 mismatches, anything else it failed to compare. */
  readonly exitCode: number;
}

/**
 * A cell measured again, briefly and after the matrix, with a V8 CPU profile of every process and thread of the
 * runtime during the load (bench/profile/): self-time per category of work, in µs, summed over them.
 */
export interface CellProfile {
  readonly id: string;
  /** For a floor's profile: which floor server (`runtime` is the runtime it is the floor of); `write`: the write floor. */
  readonly floor?: FloorName | 'write';
  /** fork with FORK_PERSISTENT=1 (the cell the FPM-like floor is the floor of). */
  readonly persistent?: boolean;
  readonly runtime: RuntimeName;
  readonly entity: EntityName;
  readonly source: Source;
  readonly operation: Operation;
  readonly workers: number;
  /** Requests answered during the profiled load, and how long it ran: µs per request = time ÷ requests. */
  readonly requests: number;
  readonly durationSec: number;
  /** How many profiles (processes and threads) were summed. */
  readonly profiles: number;
  /** Sampled time per category (bench/profile/attribution.ts CATEGORIES), in µs over all profiles. */
  readonly categories: Readonly<Record<string, number>>;
  /** fork: CPU time (µs) per stage of a request (bench/profile/attribution.ts BOOTSTRAP_STAGES), children and master summed. */
  readonly stages?: Readonly<Record<string, number>>;
}

/** Reads of the recovery step by outcome (bench/recovery/judge.ts): right, wrong, unavailable (503), error. */
export interface RecoveryReads {
  readonly right: number;
  readonly wrong: number;
  readonly unavailable: number;
  readonly error: number;
}

/**
 * The read model's recovery (bench/recovery/): a runtime under readers loses its read model (its Redis keys deleted)
 * and heals it by itself. Times in ms since the keys were deleted. Every read is judged against MySQL's answer.
 */
export interface RecoveryResult {
  readonly runtime: RuntimeName;
  readonly measuredAt: string;
  /** Rows of each entity (list totals) when measured. */
  readonly data: Readonly<Record<EntityName, number>>;
  readonly readers: number;
  /** Distinct questions (gets and pages of every entity) the readers cycle through. */
  readonly questions: number;
  /** What /healthz said of the read model during the window (`empty`), null if it never said degraded. */
  readonly degradedAs: string | null;
  /** Until /healthz said ok again; null: not within the timeout. */
  readonly timeToHealthyMs: number | null;
  /** Until the end of the last read that was not right (0: every read right throughout). */
  readonly timeToRightMs: number;
  /** Reads started before the outage, during the window (outage to healthy), and after it until the readers stopped. */
  readonly before: RecoveryReads;
  readonly window: RecoveryReads;
  readonly after: RecoveryReads;
  /** Projection reads the runtime answered from MySQL meanwhile (cqrs_read_model_fallback_reads_total). */
  readonly fallbackReads: number;
  /** Every question asked once more once healthy: how many were answered right. */
  readonly afterHealthy: { readonly checked: number; readonly right: number };
  /** The keeper's rebuild, per entity (cqrs_read_model_rebuild_rows and _seconds): rows ÷ seconds is its rate. */
  readonly rebuild: Readonly<Partial<Record<EntityName, { readonly rows: number; readonly seconds: number }>>>;
  /** A few wrong answers, to see what went wrong (empty when none). */
  readonly wrongExamples: readonly string[];
}

export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly os: string;
  readonly kernel: string;
  readonly node: string;
  readonly mysql: string;
  readonly redis: string;
  readonly packages: Readonly<Record<string, string>>;
}

/** The schema this bench writes. */
export const RESULTS_SCHEMA = 2;
/** The schemas the report reads. */
export const READABLE_SCHEMAS: readonly number[] = [1, 2];

export interface BenchResults {
  readonly schema: 1 | 2;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly mode: 'quick' | 'full';
  /** The command that produced the file. */
  readonly command: string;
  readonly driver: { readonly name: 'autocannon' | 'k6' | 'wrk'; readonly version: string };
  readonly machine: MachineInfo;
  /** Row counts the runtimes reported (list totals) when the run started. */
  readonly data: Readonly<Record<EntityName, number>>;
  readonly settings: {
    readonly connections: number;
    readonly durationSec: number;
    readonly warmupSec: number;
    readonly repeats: number;
    readonly forkWorkers: number;
    readonly uwsWorkers: number;
    readonly forkPersistent: boolean;
    /** DB_MAX_OFFSET of the run: the deepest offset the MySQL list routes allow (absent in older files). */
    readonly dbMaxOffset?: number;
    /** The defaults of the data-path knobs for the run's other cells: REDIS_AUTO_PIPELINING, PROJECTION_ENCODING (absent in older files). */
    readonly redisAutoPipelining?: boolean;
    readonly projectionEncoding?: 'msgpack' | 'json';
  };
  /** Endpoints checked before timing: 200, the right shape, identical across runtimes. */
  readonly preflight: { readonly checked: number; readonly problems: readonly string[] };
  readonly cells: readonly Cell[];
  /**
   * Reference points measured in the same run: a bare uWS server (same worker count) answering a constant
   * body of the size of a product projection, what `uws` serving a projection by id is compared with.
   */
  readonly baselines?: { readonly uwsConstant?: { readonly workers: number; readonly bodyBytes: number; readonly runs: readonly Run[]; readonly summary: CellSummary } };
  /** The read model checked after each write and mixed cell (absent when none ran). */
  readonly readModelChecks?: readonly ReadModelCheck[];
  /** The configured data set restored after the write cells (`make seed`): its exit code (absent when none ran). */
  readonly restoredExitCode?: number;
  /** CPU attribution of a few cells, measured after the timed cells (absent when not profiled). */
  readonly profiles?: readonly CellProfile[];
  /** The read model's recovery, one per runtime and data size (absent until `make bench-recovery` or `make bench` ran it). */
  readonly recovery?: readonly RecoveryResult[];
  /** Visibility lag of commands (`make bench-lag`, part of `make bench`; absent when not measured). */
  readonly visibilityLag?: VisibilityLagResults;
}

/** From a command's acknowledgement to its projection seen on another runtime (bench/VisibilityLag.ts). */
export interface VisibilityLagResults {
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly timing: LagTiming;
  /** Each writer's maximum in each mode: commands per second, closed loop at `timing.maxConnections`. */
  readonly writeMax: ReadonlyArray<{ readonly mode: ProjectionMode; readonly writer: RuntimeName; readonly rate: number }>;
  readonly points: readonly LagPoint[];
}

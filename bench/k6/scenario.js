// k6 script for one scenario of bench/scenarios.json (the same file autocannon's runner and the wrk script read).
// Run by `make k6-<runtime>-<entity>-<db|redis>`, `make k6-<runtime>-<entity>-write` and `make k6-<runtime>-mixed`
// where k6 (or Docker) is available:
//   k6 run -e BASE_URL=http://127.0.0.1:8083 -e ENTITY=products -e SOURCE=redis -e OPERATION=get bench/k6/scenario.js
//   k6 run -e BASE_URL=… -e ENTITY=orders -e OPERATION=create bench/k6/scenario.js     (create, update, delete; or OPERATION=mixed)
// Type-checked against @types/k6: npx tsc -p bench/k6/tsconfig.json
import http from 'k6/http';
import exec from 'k6/execution';
import { check } from 'k6';

/** @type {typeof import('../scenarios.json')} */
const scenarios = JSON.parse(open('../scenarios.json'));

/**
 * An -e variable that must be one of `choices`: a typo fails the run at start, not as 404s under load.
 * @template {string} T
 * @param {string} name
 * @param {readonly T[]} choices
 * @param {T} fallback
 * @returns {T}
 */
function choice(name, choices, fallback) {
  const value = __ENV[name] || fallback;
  const found = choices.find((c) => c === value);
  if (found === undefined) throw new Error(`${name}=${value} is not one of ${choices.join(', ')}`);
  return found;
}

const BASE_URL = __ENV.BASE_URL;
const ENTITY = choice('ENTITY', ['products', 'customers', 'orders'], 'products');
const SOURCE = choice('SOURCE', ['db', 'redis'], 'redis');
const OPERATION = choice('OPERATION', ['get', 'list', 'create', 'update', 'delete', 'mixed'], 'get');
const READ = OPERATION === 'get' || OPERATION === 'list';
const timing = __ENV.QUICK === '1' ? scenarios.quick : scenarios;
/** A delete sends each of the rows its setup created once: as many as this (-e ROWS=N). */
const DELETE_ROWS = Number(__ENV.ROWS || 2000);
/** Unique in the run with the VU and its iteration: replaces [<id>] (names, e-mails, Idempotency-Key). */
const RUN = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

/** @param {number | string | undefined} id */
function path(id) {
  return scenarios.operations[/** @type {'get' | 'list'} */ (OPERATION)]
    .replace('{entity}', ENTITY)
    .replace('{source}', scenarios.sources[SOURCE])
    .replace('{listQuery}', scenarios.listQuery)
    .replace('{id}', String(id));
}

const vus = Number(__ENV.CONNECTIONS || (OPERATION === 'mixed' ? scenarios.mixed.connections : READ ? scenarios.connections : scenarios.writes.connections[1]));
const warmup = `${Math.max(1, timing.warmupSec)}s`;
const main = `${timing.durationSec * timing.repeats}s`;
/** @type {import('k6/options').Options} */
export const options = {
  scenarios: OPERATION === 'delete'
    // Every row once, shared by the VUs (a warm-up would delete the rows the timed part needs).
    ? { main: { executor: 'shared-iterations', exec: 'hit', vus, iterations: DELETE_ROWS, maxDuration: '10m', tags: { phase: 'main' } } }
    : {
      warmup: { executor: 'constant-vus', exec: 'hit', vus, duration: warmup, tags: { phase: 'warmup' } },
      main: { executor: 'constant-vus', exec: 'hit', vus, duration: main, startTime: warmup, tags: { phase: 'main' } },
    },
  // A delete run's setup creates its rows one by one first: minutes on a slow runtime (fork writes tens a second).
  setupTimeout: '10m',
  thresholds: {
    'http_req_failed{phase:main}': [`rate<=${scenarios.thresholds.maxErrorRate}`],
    'http_req_duration{phase:main}': [`p(99)<${scenarios.thresholds.p99Ms}`],
    'checks{phase:main}': ['rate==1'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(95)', 'p(99)', 'max'],
};

/** @typedef {'products' | 'customers' | 'orders'} Entity */
/** @typedef {{ ids: number[], live: Record<Entity, number[]>, rows: number[] }} SetupData */
/** @typedef {{ method: string, path: string, body: string | null, headers: Record<string, string> }} Command */

/** @param {Entity} entity */
function liveIds(entity) {
  const res = http.get(`${BASE_URL}/en/${entity}/db?limit=all`);
  const body = res.status === 200 ? /** @type {Record<string, { id: number }[] | undefined> | null} */ (res.json()) : null;
  const ids = (body?.[entity] ?? []).map((row) => row.id);
  if (ids.length === 0) throw new Error(`no ${entity} at ${BASE_URL} (HTTP ${res.status}): seed first (make seed)`);
  return ids;
}

/** @template T @param {readonly T[]} list @returns {T} */
function pick(list) {
  return /** @type {T} */ (list[Math.floor(Math.random() * list.length)]);
}

/**
 * A command as bench/scenarios.json defines it (`writes.commands`), as bench/writes.ts builds it.
 * @param {Entity} entity @param {'create' | 'update' | 'delete'} command @param {SetupData['live']} live @param {number | undefined} id @param {string} token
 * @returns {Command}
 */
function command(entity, command, live, id, token) {
  const commands = /** @type {Record<string, { method: string, path: string, body?: Record<string, string> } | undefined>} */ (scenarios.writes.commands[entity]);
  const template = commands[command];
  if (!template) throw new Error(`bench/scenarios.json has no ${entity} ${command}`);
  const unique = (/** @type {string} */ text) => text.split('[<id>]').join(token);
  const headers = { 'Idempotency-Key': unique(scenarios.writes.idempotencyKey), 'Content-Type': 'application/json' };
  const path = template.path.replace('{id}', String(id));
  if (!template.body) return { method: template.method, path, body: null, headers };
  /** @type {Record<string, unknown>} */
  const body = {};
  for (const [field, value] of Object.entries(template.body)) {
    if (value === '{customer_id}') body[field] = pick(live.customers);
    else if (value === '{items}') {
      const { min, max } = scenarios.writes.orderLines;
      const lines = min + Math.floor(Math.random() * (max - min + 1));
      /** @type {Set<number>} */
      const products = new Set();
      while (products.size < lines) products.add(pick(live.products));
      body[field] = [...products].map((product_id) => ({ product_id, quantity: 1 + Math.floor(Math.random() * 3) }));
    } else body[field] = unique(value);
  }
  return { method: template.method, path, body: JSON.stringify(body), headers };
}

/** @param {Command} c @param {number} expected */
function send(c, expected) {
  const res = http.request(c.method, `${BASE_URL}${c.path}`, c.body, { headers: c.headers, tags: { name: `${c.method} ${c.path.replace(/\/\d+$/, '/:id')}` } });
  check(res, { [`status is ${expected}`]: (r) => r.status === expected });
  return res;
}

/** @returns {SetupData} */
export function setup() {
  if (!BASE_URL) throw new Error('set BASE_URL');
  const entities = /** @type {Entity[]} */ (['products', 'customers', 'orders']);
  /** @type {SetupData['live']} */
  const live = { products: [], customers: [], orders: [] };
  if (OPERATION === 'mixed' || ENTITY === 'orders') for (const entity of entities) live[entity] = liveIds(entity);
  const ids = OPERATION === 'get' ? liveIds(ENTITY) : [];
  // Update and delete act on rows created here, never on the seeded data.
  const count = OPERATION === 'update' ? scenarios.writes.updateRows : OPERATION === 'delete' ? DELETE_ROWS : 0;
  const rows = [];
  for (let i = 0; i < count; i++) {
    const res = send(command(ENTITY, 'create', live, undefined, `${RUN}-setup-${i}`), 201);
    const body = /** @type {Record<string, { id: number } | undefined>} */ (res.json());
    const row = body[ENTITY.slice(0, -1)];
    if (!row) throw new Error(`setup: creating ${ENTITY} answered ${res.status}`);
    rows.push(row.id);
  }
  return { ids, live, rows };
}

/** @param {SetupData} data */
export function hit(data) {
  const token = () => `${RUN}-${exec.vu.idInTest}-${exec.vu.iterationInInstance}`;
  if (OPERATION === 'create') return send(command(ENTITY, 'create', data.live, undefined, token()), 201);
  if (OPERATION === 'update') return send(command(ENTITY, 'update', data.live, pick(data.rows), token()), 200);
  if (OPERATION === 'delete') return send(command(ENTITY, 'delete', data.live, data.rows[exec.scenario.iterationInTest], token()), 200);
  if (OPERATION === 'mixed') {
    // Of every ten iterations of a VU, commandsPerTen creates (the entities in turn), the others projection gets.
    const n = exec.vu.iterationInInstance;
    const { reads, commands, commandsPerTen } = scenarios.mixed;
    if (n % 10 >= 10 - commandsPerTen) {
      const entity = /** @type {Entity} */ ((commands[Math.floor(n / 10) % commands.length] ?? 'products/create').split('/')[0]);
      return send(command(entity, 'create', data.live, undefined, token()), 201);
    }
    const entity = /** @type {Entity} */ (reads[n % reads.length]);
    const res = http.get(`${BASE_URL}/en/${entity}/projection/${pick(data.live[entity])}`, { tags: { name: `/en/${entity}/projection/:id` } });
    return check(res, { 'status is 200': (r) => r.status === 200 });
  }
  const id = OPERATION === 'get' ? data.ids[Math.floor(Math.random() * data.ids.length)] : undefined;
  const res = http.get(`${BASE_URL}${path(id)}`, { tags: { name: path(OPERATION === 'get' ? ':id' : '') } });
  return check(res, { 'status is 200': (r) => r.status === 200 });
}

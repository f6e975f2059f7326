// k6 script for one scenario of bench/scenarios.json (the same file autocannon's runner reads).
// Run by `make k6-<runtime>-<entity>-<db|redis>` where k6 (or Docker) is available:
//   k6 run -e BASE_URL=http://127.0.0.1:8083 -e ENTITY=products -e SOURCE=redis -e OPERATION=get bench/k6/scenario.js
// Type-checked against @types/k6: npx tsc -p bench/k6/tsconfig.json
import http from 'k6/http';
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
const OPERATION = choice('OPERATION', ['get', 'list'], 'get');
const timing = __ENV.QUICK === '1' ? scenarios.quick : scenarios;

/** @param {number | string | undefined} id */
function path(id) {
  return scenarios.operations[OPERATION]
    .replace('{entity}', ENTITY)
    .replace('{source}', scenarios.sources[SOURCE])
    .replace('{listQuery}', scenarios.listQuery)
    .replace('{id}', String(id));
}

const vus = Number(__ENV.CONNECTIONS || scenarios.connections);
/** @type {import('k6/options').Options} */
export const options = {
  scenarios: {
    warmup: { executor: 'constant-vus', exec: 'hit', vus, duration: `${Math.max(1, timing.warmupSec)}s`, tags: { phase: 'warmup' } },
    main: { executor: 'constant-vus', exec: 'hit', vus, duration: `${timing.durationSec * timing.repeats}s`, startTime: `${Math.max(1, timing.warmupSec)}s`, tags: { phase: 'main' } },
  },
  thresholds: {
    'http_req_failed{phase:main}': [`rate<=${scenarios.thresholds.maxErrorRate}`],
    'http_req_duration{phase:main}': [`p(99)<${scenarios.thresholds.p99Ms}`],
    'checks{phase:main}': ['rate==1'],
  },
  summaryTrendStats: ['avg', 'min', 'med', 'p(95)', 'p(99)', 'max'],
};

/** @typedef {{ ids: number[] }} SetupData */

/** @returns {SetupData} */
export function setup() {
  if (!BASE_URL) throw new Error('set BASE_URL');
  if (OPERATION !== 'get') return { ids: [] };
  const res = http.get(`${BASE_URL}/en/${ENTITY}/db?limit=all`);
  const body = res.status === 200 ? /** @type {Record<string, { id: number }[] | undefined> | null} */ (res.json()) : null;
  const ids = (body?.[ENTITY] ?? []).map((row) => row.id);
  if (ids.length === 0) throw new Error(`no ${ENTITY} to read at ${BASE_URL} (HTTP ${res.status}): seed first (make seed)`);
  return { ids };
}

/** @param {SetupData} data */
export function hit(data) {
  const id = OPERATION === 'get' ? data.ids[Math.floor(Math.random() * data.ids.length)] : undefined;
  const res = http.get(`${BASE_URL}${path(id)}`, { tags: { name: path(OPERATION === 'get' ? ':id' : '') } });
  check(res, { 'status is 200': (r) => r.status === 200 });
}

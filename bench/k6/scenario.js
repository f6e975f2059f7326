// k6 script for one scenario of bench/scenarios.json (the same file autocannon's runner reads).
// Run by `make k6-<runtime>-<entity>-<db|redis>` where k6 (or Docker) is available:
//   k6 run -e BASE_URL=http://127.0.0.1:8083 -e ENTITY=products -e SOURCE=redis -e OPERATION=get bench/k6/scenario.js
import http from 'k6/http';
import { check } from 'k6';

const scenarios = JSON.parse(open('../scenarios.json'));
const BASE_URL = __ENV.BASE_URL;
const ENTITY = __ENV.ENTITY || 'products';
const SOURCE = __ENV.SOURCE || 'redis';
const OPERATION = __ENV.OPERATION || 'get';
const timing = __ENV.QUICK === '1' ? scenarios.quick : scenarios;

function path(id) {
  return scenarios.operations[OPERATION]
    .replace('{entity}', ENTITY)
    .replace('{source}', scenarios.sources[SOURCE])
    .replace('{listQuery}', scenarios.listQuery)
    .replace('{id}', String(id));
}

const vus = Number(__ENV.CONNECTIONS || scenarios.connections);
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

export function setup() {
  if (!BASE_URL) throw new Error('set BASE_URL');
  const ids = OPERATION === 'get' ? http.get(`${BASE_URL}/en/${ENTITY}/db?limit=all`).json()[ENTITY].map((row) => row.id) : [];
  if (OPERATION === 'get' && ids.length === 0) throw new Error(`no ${ENTITY} to read: seed first (make seed)`);
  return { ids };
}

export function hit(data) {
  const id = OPERATION === 'get' ? data.ids[Math.floor(Math.random() * data.ids.length)] : undefined;
  const res = http.get(`${BASE_URL}${path(id)}`, { tags: { name: path(OPERATION === 'get' ? ':id' : '') } });
  check(res, { 'status is 200': (r) => r.status === 200 });
}

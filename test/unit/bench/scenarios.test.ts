import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { cellId, planCells, runtimeEnv } from '../../../bench/plan.js';
import { loadScenarios, scenarioPath, SCENARIOS_PATH, validateScenarios } from '../../../bench/scenarios.js';

const K6_SCRIPT = fileURLToPath(new URL('../../../../bench/k6/scenario.js', import.meta.url));

/**
 * Evaluates the k6 script outside k6: its two imports are replaced by recorders, `open` reads the real
 * scenarios file. What it requests and what it declares can then be compared with the autocannon runner's.
 */
function loadK6Script(env: Record<string, string>) {
  const requested: string[] = [];
  const source = readFileSync(K6_SCRIPT, 'utf8')
    .replace(/^import .*$/gm, '')
    .replace('export const options', 'exports.options')
    .replace('export function setup', 'exports.setup = function setup')
    .replace('export function hit', 'exports.hit = function hit');
  const context = {
    exports: {} as Record<string, any>, // eslint-disable-line @typescript-eslint/no-explicit-any
    __ENV: env,
    open: (path: string) => readFileSync(new URL(path, `file://${K6_SCRIPT}`), 'utf8'),
    http: { get: (url: string) => { requested.push(url); return { status: 200, json: () => ({ products: [{ id: 7 }, { id: 9 }] }) }; } },
    check: () => true,
    JSON, Math, String, Number, Error,
  };
  vm.runInNewContext(source, context);
  return { exports: context.exports, requested };
}

describe('scenarios (bench/scenarios.json)', () => {
  it('the committed file is valid', () => {
    const scenarios = loadScenarios();
    expect(scenarios.entities).to.deep.equal(['products', 'customers', 'orders']);
    expect(scenarios.connections).to.be.greaterThan(0);
  });

  it('a broken file is refused with the field named', () => {
    const good = JSON.parse(readFileSync(SCENARIOS_PATH, 'utf8'));
    const broken = (patch: (s: any) => void) => { const s = structuredClone(good); patch(s); return () => validateScenarios(s); }; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(broken((s) => { s.connections = 0; })).to.throw(/connections/);
    expect(broken((s) => { s.quick.durationSec = 'two'; })).to.throw(/quick\.durationSec/);
    expect(broken((s) => { s.listQuery = 'page=2'; })).to.throw(/listQuery/);
    expect(broken((s) => { s.entities = ['invoices']; })).to.throw(/entities/);
    expect(broken((s) => { s.operations.get = '/en/{entity}/{source}'; })).to.throw(/\{id\}/);
    expect(broken((s) => { s.reads.list = ['fastest']; })).to.throw(/reads modes/);
  });

  it('builds the paths of every entity × source × operation', () => {
    const scenarios = loadScenarios();
    expect(scenarioPath(scenarios, 'orders', 'redis', 'get', 12)).to.equal('/en/orders/projection/12');
    expect(scenarioPath(scenarios, 'customers', 'db', 'list')).to.equal(`/en/customers/db?${scenarios.listQuery}`);
    expect(scenarioPath(scenarios, 'products', 'redis', 'list', undefined, 'limit=all')).to.equal('/en/products/projection?limit=all');
  });

  describe('the k6 script measures what the autocannon runner measures', () => {
    const scenarios = loadScenarios();
    for (const [operation, source] of [['get', 'redis'], ['list', 'db']] as const) {
      it(`${operation} from ${source}: same paths, connections, durations and thresholds`, () => {
        const { exports, requested } = loadK6Script({ BASE_URL: 'http://h', ENTITY: 'products', SOURCE: source, OPERATION: operation });
        const data = exports.setup();
        requested.length = 0;
        for (let i = 0; i < 20; i++) exports.hit(data);
        const expected = operation === 'get'
          ? [7, 9].map((id) => `http://h${scenarioPath(scenarios, 'products', source, 'get', id)}`)
          : [`http://h${scenarioPath(scenarios, 'products', source, 'list')}`];
        expect(new Set(requested)).to.satisfy((seen: Set<string>) => [...seen].every((u) => expected.includes(u)));
        expect(requested).to.have.length(20);
        const { main, warmup } = exports.options.scenarios;
        expect(main.vus).to.equal(scenarios.connections);
        expect(main.duration).to.equal(`${scenarios.durationSec * scenarios.repeats}s`);
        expect(warmup.duration).to.equal(`${scenarios.warmupSec}s`);
        expect(exports.options.thresholds['http_req_duration{phase:main}']).to.deep.equal([`p(99)<${scenarios.thresholds.p99Ms}`]);
      });
    }
    it('QUICK=1 takes the quick timings', () => {
      const { exports } = loadK6Script({ BASE_URL: 'http://h', QUICK: '1' });
      expect(exports.options.scenarios.main.duration).to.equal(`${scenarios.quick.durationSec * scenarios.quick.repeats}s`);
    });
  });
});

describe('bench plan', () => {
  const scenarios = loadScenarios();

  it('the matrix has every runtime × entity × source × operation once', () => {
    const cells = planCells(scenarios, { runtimes: ['fork', 'express', 'uws'], forkWorkers: 4, uwsWorkers: 2, sweep: false, reads: false });
    expect(cells).to.have.length(3 * 3 * 2 * 2);
    expect(new Set(cells.map((c) => c.id)).size).to.equal(cells.length);
    expect(cells.find((c) => c.id === 'fork/orders/db/list')).to.include({ workers: 4, listQuery: scenarios.listQuery });
  });

  it('the sweep and the read modes are added on request, each with the environment its runtime needs', () => {
    const cells = planCells(scenarios, { runtimes: ['fork', 'express', 'uws'], forkWorkers: 4, uwsWorkers: 2, sweep: true, reads: true });
    const sweep = cells.filter((c) => c.group === 'sweep');
    expect(sweep.map((c) => c.id)).to.include('uws/products/redis/get@w16');
    expect(runtimeEnv(sweep.find((c) => c.id === 'fork/products/redis/get@w8')!, 'cqrs:')).to.include({ FORK_WORKERS: '8' });
    const reads = cells.filter((c) => c.group === 'reads');
    expect(reads.find((c) => c.readMode === 'original' && c.operation === 'list')).to.include({ listQuery: 'limit=all' });
    expect(reads.find((c) => c.readMode === 'default' && c.operation === 'list')).to.include({ listQuery: scenarios.listQuery });
    expect(runtimeEnv(reads[0]!, 'cqrs:')).to.include({ PROJECTION_READS: 'original' });
    expect(cellId({ runtime: 'uws', entity: 'products', source: 'redis', operation: 'list', group: 'reads', workers: 2, readMode: 'original-mget' }))
      .to.equal('uws/products/redis/list~original-mget');
  });
});

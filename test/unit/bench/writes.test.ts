import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { runAutocannon } from '../../../bench/drivers/autocannon.js';
import { runWrk, wrkRequestLines, wrkRequestScript } from '../../../bench/drivers/wrk.js';
import { planCells, planWriteCells } from '../../../bench/plan.js';
import { loadScenarios, SCENARIOS_PATH, validateScenarios } from '../../../bench/scenarios.js';
import { planTurns } from '../../../bench/turns.js';
import { commandRequest, createRequests, mixedRequests, RequestCycle, rowRequests, UNIQUE_TOKEN, withToken, type LoadRequest } from '../../../bench/writes.js';

const scenarios = loadScenarios();
const ids = new Map<string, readonly number[]>([['products', [1, 2, 3, 4, 5, 6, 7]], ['customers', [11, 12]], ['orders', [21, 22, 23]]]);

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly key: string | undefined;
  readonly body: string;
}

/** A local server that answers 201 and records every request: what a driver really sent. */
async function recorder(): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, key: req.headers['idempotency-key'] as string | undefined, body });
      res.writeHead(201, { 'content-type': 'application/json', 'content-length': 2 }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}

describe('write scenarios (bench/writes.ts, bench/scenarios.json writes and mixed)', () => {
  it('a create carries the scenario body as JSON and an Idempotency-Key, both with the unique token', () => {
    const request = commandRequest(scenarios, 'customers', 'create');
    expect(request).to.include({ method: 'POST', path: '/en/customers' });
    expect(request.headers).to.deep.equal({ 'Idempotency-Key': `"bench-${UNIQUE_TOKEN}"`, 'Content-Type': 'application/json' });
    expect(JSON.parse(request.body!)).to.deep.equal({ name: `bench customer ${UNIQUE_TOKEN}`, email: `bench-${UNIQUE_TOKEN}@example.com`, city: 'Lyon' });
  });

  it('orders have 1–5 lines of distinct seeded products, on seeded customers, the same for the same seed', () => {
    const orders = createRequests(scenarios, 'orders', ids, 3);
    expect(orders).to.have.length(1000);
    const bodies = orders.map((o) => JSON.parse(o.body!) as { customer_id: number; items: { product_id: number; quantity: number }[] });
    const lines = new Set(bodies.map((b) => b.items.length));
    expect([...lines].sort()).to.deep.equal([1, 2, 3, 4, 5]);
    for (const body of bodies) {
      expect([11, 12]).to.include(body.customer_id);
      expect(new Set(body.items.map((i) => i.product_id)).size).to.equal(body.items.length);
      for (const item of body.items) expect(ids.get('products')).to.include(item.product_id);
    }
    expect(createRequests(scenarios, 'orders', ids, 3)).to.deep.equal(orders);
    expect(() => createRequests(scenarios, 'orders', new Map([['products', [1]], ['customers', [1]]]), 3)).to.throw(/seed first/);
  });

  it('updates and deletes name the rows given (the cell\'s own), one request each', () => {
    expect(rowRequests(scenarios, 'products', 'delete', [40, 41]).map((r) => `${r.method} ${r.path}`)).to.deep.equal(['DELETE /en/products/40', 'DELETE /en/products/41']);
    const update = rowRequests(scenarios, 'products', 'update', [40])[0]!;
    expect(update).to.include({ method: 'PUT', path: '/en/products/40' });
    expect(JSON.parse(update.body!)).to.have.keys('name', 'price');
  });

  it('the mixed scenario: of every ten requests one create (the entities in turn), nine projection gets', () => {
    const requests = mixedRequests(scenarios, ids, 1, 30);
    expect(requests).to.have.length(300);
    const commands = requests.filter((r) => r.method !== 'GET');
    expect(commands).to.have.length(30);
    expect(commands.every((c) => c.method === 'POST')).to.equal(true);
    expect(commands.slice(0, 3).map((c) => c.path)).to.deep.equal(['/en/products', '/en/customers', '/en/orders']);
    expect(requests.filter((r) => r.method === 'GET').every((r) => /^\/en\/(products|customers|orders)\/projection\/\d+$/.test(r.path))).to.equal(true);
  });

  it('each request taken from a cycle has its own token everywhere the placeholder was', () => {
    const cycle = new RequestCycle([commandRequest(scenarios, 'customers', 'create')]);
    const taken = Array.from({ length: 50 }, () => cycle.take());
    const keys = taken.map((r) => r.headers!['Idempotency-Key']);
    expect(new Set(keys).size).to.equal(50);
    expect(new Set(taken.map((r) => JSON.parse(r.body!).email)).size).to.equal(50);
    expect(taken.some((r) => r.body!.includes(UNIQUE_TOKEN) || r.headers!['Idempotency-Key']!.includes(UNIQUE_TOKEN))).to.equal(false);
    expect(withToken({ method: 'GET', path: '/a/[<id>]' }, 'x')).to.deep.equal({ method: 'GET', path: '/a/x' });
  });

  it('a scenario whose name or e-mail is not unique per request, or without a key per request, is refused', () => {
    const good = JSON.parse(readFileSync(SCENARIOS_PATH, 'utf8'));
    const broken = (patch: (s: any) => void) => { const s = structuredClone(good); patch(s); return () => validateScenarios(s); }; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(broken((s) => { s.writes.commands.customers.create.body.email = 'same@example.com'; })).to.throw(/customers\.create\.body\.email must contain \[<id>\]/);
    expect(broken((s) => { s.writes.idempotencyKey = '"fixed"'; })).to.throw(/idempotencyKey/);
    expect(broken((s) => { s.writes.commands.products.delete.path = '/en/products'; })).to.throw(/only update and delete name a row/);
    expect(broken((s) => { s.writes.connections = []; })).to.throw(/writes\.connections/);
    expect(broken((s) => { s.mixed.commands = ['products/delete']; })).to.throw(/mixed\.commands/);
    expect(broken((s) => { s.writes.quick.commands = ['invoices/create']; })).to.throw(/invoices\/create is not a command/);
  });

  describe('the plan', () => {
    const options = { runtimes: ['fork', 'express', 'uws'] as const, forkWorkers: 4, uwsWorkers: 2, sweep: false, reads: false };

    it('every runtime × command × connection count, the write floor beside the floor command, a mixed cell per runtime', () => {
      const cells = planWriteCells(scenarios, { ...options, runtimes: [...options.runtimes], writes: 'all' });
      const perRuntime = 7 * 3 + 3 + 1; // products create/update/delete, customers and orders create/delete; 3 floor cells; mixed
      expect(cells).to.have.length(3 * perRuntime);
      expect(new Set(cells.map((c) => c.id)).size).to.equal(cells.length);
      expect(cells.map((c) => c.id)).to.include.members(['uws/orders/delete@c64', 'floor:write[fork]/products/create@c16', 'express/mixed@c50']);
      expect(cells.find((c) => c.id === 'fork/products/update@c1')).to.include({ group: 'writes', source: 'db', operation: 'update', connections: 1, workers: 4 });
      expect(cells.filter((c) => c.writeFloor).every((c) => c.entity === 'products' && c.operation === 'create')).to.equal(true);
      const quick = planWriteCells(scenarios, { ...options, runtimes: ['uws'], writes: 'quick' });
      expect(quick.map((c) => c.id)).to.deep.equal([
        'uws/products/create@c1', 'floor:write[uws]/products/create@c1', 'uws/products/create@c16', 'floor:write[uws]/products/create@c16',
        'uws/products/create@c64', 'floor:write[uws]/products/create@c64', 'uws/orders/create@c1', 'uws/orders/create@c16', 'uws/orders/create@c64', 'uws/mixed@c50']);
    });

    it('the write cells come last, and each runtime\'s are measured in turns with the write floor, connection count by connection count', () => {
      const cells = planCells(scenarios, { ...options, runtimes: ['uws'], writes: 'quick' });
      expect(cells.at(-1)!.group).to.equal('mixed');
      expect(cells.findIndex((c) => c.group === 'writes')).to.be.greaterThan(cells.map((c) => c.group).lastIndexOf('matrix'));
      const families = planTurns(cells, 'cqrs:');
      const writes = families.find((f) => f.name === 'writes:uws')!;
      expect(writes.starts).to.have.length(2);
      expect(writes.turns.slice(0, 4).map((t) => t.cell.id)).to.deep.equal([
        'uws/products/create@c1', 'floor:write[uws]/products/create@c1', 'uws/products/create@c16', 'floor:write[uws]/products/create@c16']);
      expect(families.find((f) => f.name === 'mixed:uws')!.turns.map((t) => t.cell.id)).to.deep.equal(['uws/mixed@c50']);
    });
  });

  describe('the drivers send the requests as defined: a delete once, a token per request', function () {
    this.timeout(30_000);
    const deletes: LoadRequest[] = rowRequests(scenarios, 'products', 'delete', Array.from({ length: 40_000 }, (_, i) => i + 1));

    for (const [name, run] of [['wrk', runWrk], ['autocannon', runAutocannon]] as const) {
      it(`${name}: every delete is sent at most once over 8 connections, each with its own Idempotency-Key`, async () => {
        const { url, seen, server } = await recorder();
        try {
          const result = await run({ baseUrl: url, paths: [], requests: deletes, connections: 8, durationSec: 1 });
          expect(result.requests).to.be.greaterThan(100);
          const paths = seen.map((s) => `${s.method} ${s.url}`);
          expect(paths.every((p) => /^DELETE \/en\/products\/\d+$/.test(p))).to.equal(true);
          expect(new Set(paths).size, 'no row deleted twice').to.equal(paths.length);
          expect(new Set(seen.map((s) => s.key)).size).to.equal(seen.length);
          expect(seen.every((s) => /^"bench-[\w-]+"$/.test(s.key ?? ''))).to.equal(true);
        } finally {
          server.close();
          server.closeAllConnections();
        }
      });

      it(`${name}: creates get unique names and e-mails in their bodies`, async () => {
        const { url, seen, server } = await recorder();
        try {
          await run({ baseUrl: url, paths: [], requests: createRequests(scenarios, 'customers', ids, 1), connections: 4, durationSec: 1 });
          const bodies = seen.map((s) => JSON.parse(s.body) as { email: string });
          expect(bodies.length).to.be.greaterThan(10);
          expect(new Set(bodies.map((b) => b.email)).size).to.equal(bodies.length);
          expect(seen.every((s) => s.method === 'POST' && s.url === '/en/customers' && !s.body.includes(UNIQUE_TOKEN))).to.equal(true);
        } finally {
          server.close();
          server.closeAllConnections();
        }
      });
    }

    it('the wrk script reads the requests from a file of tab-separated fields, each thread from its own share', () => {
      const lines = wrkRequestLines([
        { method: 'POST', path: '/en/products', headers: { 'Idempotency-Key': '"k-[<id>]"', 'Content-Type': 'application/json' }, body: '{"name":"a\\tb"}' },
        { method: 'DELETE', path: '/en/products/4' }]);
      expect(lines).to.equal('POST\t/en/products\t{"name":"a\\tb"}\tIdempotency-Key\t"k-[<id>]"\tContent-Type\tapplication/json\nDELETE\t/en/products/4\t\n');
      expect(() => wrkRequestLines([{ method: 'POST', path: '/x', body: 'a\tb' }])).to.throw(/tab or a line break/);
      const script = wrkRequestScript('/tmp/r.tsv', 2, 'N');
      expect(script).to.include('io.lines("/tmp/r.tsv")').and.include('math.floor(tid * #requests / 2)').and.include('"N" .. "-" .. tid');
    });
  });

  describe('the k6 script sends the same commands (bench/k6/scenario.js, run outside k6)', () => {
    const K6_SCRIPT = fileURLToPath(new URL('../../../../bench/k6/scenario.js', import.meta.url));

    function loadK6(env: Record<string, string>) {
      const sent: { method: string; url: string; body: string | null; headers: Record<string, string> }[] = [];
      const vu = { idInTest: 1, iterationInInstance: 0 };
      const created = { n: 100 };
      const source = readFileSync(K6_SCRIPT, 'utf8')
        .replace(/^import .*$/gm, '')
        .replace('export const options', 'exports.options')
        .replace('export function setup', 'exports.setup = function setup')
        .replace('export function hit', 'exports.hit = function hit');
      const answer = (entity: string) => ({ status: 200, json: () => ({ [entity]: [...ids.get(entity)!].map((id) => ({ id })) }) });
      const context = {
        exports: {} as Record<string, any>, // eslint-disable-line @typescript-eslint/no-explicit-any
        __ENV: env,
        open: (path: string) => readFileSync(new URL(path, `file://${K6_SCRIPT}`), 'utf8'),
        http: {
          get: (url: string) => answer(/\/en\/(\w+)\//.exec(url)![1]!),
          request: (method: string, url: string, body: string | null, params: { headers: Record<string, string> }) => {
            sent.push({ method, url, body, headers: params.headers });
            return { status: method === 'POST' ? 201 : 200, json: () => ({ product: { id: created.n++ }, customer: { id: created.n++ } }) };
          },
        },
        exec: { vu, scenario: { iterationInTest: 0 } },
        check: () => true,
        JSON, Math, String, Number, Error, Object, Set, Date,
      };
      vm.runInNewContext(source, context);
      return { exports: context.exports, sent, vu, scenario: context.exec.scenario };
    }

    it('a create: the scenario\'s method, path, body and key, with a token per iteration', () => {
      const { exports, sent, vu } = loadK6({ BASE_URL: 'http://h', ENTITY: 'customers', OPERATION: 'create' });
      const data = exports.setup();
      for (let i = 0; i < 5; i++) { vu.iterationInInstance = i; exports.hit(data); }
      const expected = commandRequest(scenarios, 'customers', 'create');
      expect(sent.map((s) => `${s.method} ${s.url}`)).to.deep.equal(Array(5).fill('POST http://h/en/customers'));
      expect(Object.keys(JSON.parse(sent[0]!.body!))).to.deep.equal(Object.keys(JSON.parse(expected.body!)));
      expect(new Set(sent.map((s) => s.headers['Idempotency-Key'])).size).to.equal(5);
      expect(new Set(sent.map((s) => JSON.parse(s.body!).email)).size).to.equal(5);
      expect(exports.options.scenarios.main.vus).to.equal(scenarios.writes.connections[1]);
    });

    it('a delete: its setup creates the rows, then each is deleted once (shared iterations)', () => {
      const { exports, sent, scenario } = loadK6({ BASE_URL: 'http://h', ENTITY: 'products', OPERATION: 'delete', ROWS: '4' });
      const data = exports.setup();
      expect(sent.filter((s) => s.method === 'POST')).to.have.length(4);
      for (let i = 0; i < 4; i++) { scenario.iterationInTest = i; exports.hit(data); }
      expect(sent.filter((s) => s.method === 'DELETE').map((s) => s.url)).to.deep.equal(data.rows.map((id: number) => `http://h/en/products/${id}`));
      expect(exports.options.scenarios.main).to.include({ executor: 'shared-iterations', iterations: 4 });
    });

    it('mixed: one create in ten iterations', () => {
      const { exports, sent, vu } = loadK6({ BASE_URL: 'http://h', OPERATION: 'mixed' });
      const data = exports.setup();
      for (let i = 0; i < 30; i++) { vu.iterationInInstance = i; exports.hit(data); }
      expect(sent.map((s) => s.url)).to.deep.equal(['http://h/en/products', 'http://h/en/customers', 'http://h/en/orders']);
      expect(exports.options.scenarios.main.vus).to.equal(scenarios.mixed.connections);
    });
  });
});

import { expect } from 'chai';
import { cellId, pageDepths, planCells, planScaleCells, runtimeEnv } from '../../../bench/plan.js';
import { loadScenarios } from '../../../bench/scenarios.js';

describe('bench plan: page-depth cells of the scale step', () => {
  const scenarios = loadScenarios();

  it('reads deeper at the default MySQL bound, the middle and the last page, never past the last', () => {
    expect(pageDepths(100_000, 50, 10_000)).to.deep.equal([10_000, 50_000, 99_950]);
    expect(pageDepths(1_000, 50, 10_000)).to.deep.equal([500, 950]);
    expect(pageDepths(50, 50, 10_000)).to.deep.equal([]);
    expect(pageDepths(1_000, 50, 0)).to.deep.equal([500, 950]);
  });

  it('plans, per source, an offset cell and a cursor cell at each depth, the cursor naming the row before the page', () => {
    // Ids with gaps: a cursor is an id, not a position.
    const ids = Array.from({ length: 1_000 }, (_, i) => 3 * i + 7);
    const cells = planScaleCells(scenarios, 'uws', 2, 1_000, { ids, dbMaxOffset: 10_000 });
    const deep = cells.filter((c) => c.page);
    expect(deep.map((c) => `${c.source} ${c.listQuery}`)).to.deep.equal([
      'db limit=50&offset=500', `db limit=50&after=${ids[499]}`, 'db limit=50&offset=950', `db limit=50&after=${ids[949]}`,
      'redis limit=50&offset=500', `redis limit=50&after=${ids[499]}`, 'redis limit=50&offset=950', `redis limit=50&after=${ids[949]}`,
    ]);
    expect(deep.every((c) => c.operation === 'list' && c.group === 'scale' && c.rows === 1_000)).to.equal(true);
    expect(new Set(cells.map((c) => c.id)).size, 'unique ids').to.equal(cells.length);
    expect(deep[1]!.id).to.equal('uws/products/db/list#1000@after=500');
    expect(cellId(deep[1]!)).to.equal(deep[1]!.id);
  });

  it('plans the first pages alone when no ids are given', () => {
    const cells = planScaleCells(scenarios, 'uws', 2, 1_000);
    expect(cells.map((c) => c.id)).to.deep.equal(['uws/products/db/get#1000', 'uws/products/db/list#1000', 'uws/products/redis/get#1000', 'uws/products/redis/list#1000']);
  });

  it('lifts DB_MAX_OFFSET to the table size for the scale cells only, so the deep MySQL pages answer', () => {
    const [scale] = planScaleCells(scenarios, 'uws', 2, 100_000);
    expect(runtimeEnv(scale!, 'cqrs:')).to.include({ DB_MAX_OFFSET: '100000', UWS_WORKERS: '2' });
    expect(runtimeEnv({ ...scale!, group: 'matrix', rows: undefined }, 'cqrs:')).to.not.have.property('DB_MAX_OFFSET');
  });
});

describe('bench plan: fork with persistent connections as its own rows', () => {
  const scenarios = loadScenarios();
  const options = { runtimes: ['fork', 'express', 'uws'] as const, forkWorkers: 4, uwsWorkers: 2, sweep: false, reads: false };

  it("repeats fork's matrix with FORK_PERSISTENT=1 when asked, and only fork's", () => {
    const without = planCells(scenarios, options);
    const cells = planCells(scenarios, { ...options, persistent: true });
    const persistent = cells.filter((c) => c.group === 'persistent');
    expect(cells.length - without.length).to.equal(12);
    expect(persistent.map((c) => c.id)).to.deep.equal(without.filter((c) => c.runtime === 'fork').map((c) => `${c.id}+persistent`));
    expect(persistent.every((c) => c.runtime === 'fork' && c.workers === 4)).to.equal(true);
    expect(runtimeEnv(persistent[0]!, 'cqrs:')).to.include({ FORK_PERSISTENT: '1', FORK_WORKERS: '4' });
    expect(runtimeEnv(without.find((c) => c.runtime === 'fork')!, 'cqrs:')).to.not.have.property('FORK_PERSISTENT');
  });

  it('plans no persistent rows without fork', () => {
    expect(planCells(scenarios, { ...options, runtimes: ['uws'], persistent: true }).some((c) => c.group === 'persistent')).to.equal(false);
  });
});

describe("bench plan: the data path's knobs", () => {
  const scenarios = loadScenarios();
  const options = { runtimes: ['fork', 'express', 'uws'] as const, forkWorkers: 4, uwsWorkers: 2, sweep: false, reads: false };

  it('measures products get and page from redis on uws and express, once per setting, never on fork', () => {
    const knobs = planCells(scenarios, { ...options, knobs: true }).filter((c) => c.group === 'knobs');
    expect(knobs.map((c) => c.id)).to.deep.equal(['uws', 'express'].flatMap((r) => ['get', 'list'].flatMap((op) =>
      ['baseline', 'auto-pipelining', 'json-encoding', 'both'].map((k) => `${r}/products/redis/${op}[${k}]`))));
    expect(knobs.every((c) => c.source === 'redis' && c.readMode === 'default')).to.equal(true);
    expect(knobs.find((c) => c.operation === 'list')!.listQuery).to.equal(scenarios.listQuery);
    expect(planCells(scenarios, options).some((c) => c.group === 'knobs')).to.equal(false);
  });

  it('sets both knobs explicitly in every setting, and keeps the JSON read model under a prefix of its own', () => {
    const knobs = planCells(scenarios, { ...options, runtimes: ['uws'], knobs: true }).filter((c) => c.group === 'knobs' && c.operation === 'get');
    const env = (knob: string) => runtimeEnv(knobs.find((c) => c.knob === knob)!, 'bench:');
    expect(env('baseline')).to.include({ REDIS_AUTO_PIPELINING: '0', PROJECTION_ENCODING: 'msgpack' }).and.not.have.property('REDIS_PREFIX');
    expect(env('auto-pipelining')).to.include({ REDIS_AUTO_PIPELINING: '1', PROJECTION_ENCODING: 'msgpack' }).and.not.have.property('REDIS_PREFIX');
    expect(env('json-encoding')).to.include({ REDIS_AUTO_PIPELINING: '0', PROJECTION_ENCODING: 'json', REDIS_PREFIX: 'bench:json:' });
    expect(env('both')).to.include({ REDIS_AUTO_PIPELINING: '1', PROJECTION_ENCODING: 'json', REDIS_PREFIX: 'bench:json:' });
  });
});

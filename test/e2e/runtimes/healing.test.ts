import { expect } from 'chai';
import type { Application } from '../../../core/app.js';
import { rebuildLeaseKey } from '../../../core/projections/ProjectionKeys.js';
import { RUNTIME_NAMES, type LaunchedRuntime } from '../../../runtimes/launcher.js';
import { Seeder } from '../../../core/seed/Seeder.js';
import { createTestApp, rebuildAllWhenFree, resetData } from '../../support/fixtures.js';
import { call, metricSum, parseMetrics, runtimesOfTest, startRuntime, untilHealthy } from '../../support/runtimes.js';

// While the read model heals — Redis emptied, a keeper killed in the middle of its rebuild — every projection read on
// every runtime answers the truth: what MySQL answers to the same question (the read falls back to the write model),
// never a 404 for an entity that exists or an empty list. And it heals within a bound: REBUILD_LEASE_MS for a dead
// keeper's lease to expire, plus HEAL_MARGIN_MS for a poll and the rebuild of this small data set.

const HEAL_MARGIN_MS = 8_000;
const LEASE_MS = 3_000;

/** The questions the readers ask, each with the /db path that answers it from MySQL. */
function questions(): string[] {
  const paths: string[] = [];
  // Some of the 4,000 products, the 10 customers and 40 orders, and ids past them (a true 404 must stay a 404).
  for (let id = 1; id <= 4_001; id += 125) paths.push(`/en/products/projection/${id}`);
  for (let id = 1; id <= 11; id++) paths.push(`/en/customers/projection/${id}`);
  for (let id = 1; id <= 41; id += 4) paths.push(`/en/orders/projection/${id}`);
  for (const plural of ['products', 'customers', 'orders']) {
    paths.push(`/en/${plural}/projection`, `/en/${plural}/projection?limit=5&offset=3`, `/en/${plural}/projection?limit=5&after=4`, `/en/${plural}`);
  }
  return paths;
}

interface Readers {
  /** Stops the readers; resolves with how many reads were made and the wrong ones. */
  stop(): Promise<{ reads: number; wrong: string[] }>;
}

/** Readers on every runtime, each read compared with MySQL's answer to the same question (the data set does not change). */
async function startReaders(bases: readonly string[], truth: ReadonlyMap<string, string>): Promise<Readers> {
  let running = true;
  let reads = 0;
  const wrong: string[] = [];
  const paths = [...truth.keys()];
  const reader = async (n: number) => {
    for (let i = n; running; i++) {
      const base = bases[i % bases.length]!;
      const path = paths[(i * 7) % paths.length]!;
      const answer = await call(base, 'GET', path);
      reads++;
      const expected = truth.get(path)!;
      if (`${answer.status} ${answer.text}` !== expected) wrong.push(`${base}${path}: ${answer.status} ${answer.text.slice(0, 120)} (expected ${expected.slice(0, 60)})`);
    }
  };
  const all = Promise.all([0, 1, 2, 3].map(reader));
  return { async stop() { running = false; await all; return { reads, wrong }; } };
}

describe('while the read model heals, no projection read answers something false, on any runtime', function () {
  this.timeout(120_000);
  let app: Application;
  let readersOn: LaunchedRuntime[] = [];
  const truth = new Map<string, string>();
  const { start, stopAll } = runtimesOfTest();

  before(async () => {
    app = await createTestApp();
    await resetData(app);
    // Enough products for a rebuild of one row per round trip to last seconds: a keeper can be killed in the middle.
    await new Seeder(app.knex, 500).seed({ products: 4_000, customers: 10, orders: 40, itemsPerOrder: 3, seed: 7 });
    await app.projector.reset();
    await rebuildAllWhenFree(app);
    // The runtimes the readers use run no keeper: only the keepers each test starts (or kills) heal the read model.
    readersOn = await Promise.all(RUNTIME_NAMES.map((name) => startRuntime(name, { PROJECTOR: '0' })));
    for (const path of questions()) {
      const fromDb = await call(readersOn[0]!.url, 'GET', path.replace('/projection', '/db').replace(/^\/en\/(\w+)(\?|$)/, '/en/$1/db$2'));
      const fromProjection = await call(readersOn[0]!.url, 'GET', path);
      // The premise: a healthy read model answers exactly what MySQL answers.
      expect(`${fromProjection.status} ${fromProjection.text}`, path).to.equal(`${fromDb.status} ${fromDb.text}`);
      truth.set(path, `${fromDb.status} ${fromDb.text}`);
    }
    expect([...truth.values()].filter((t) => t.startsWith('404')), 'the absent ids among the questions').to.have.length(3);
  });
  afterEach(async () => {
    await stopAll();
    await app.redis.del(rebuildLeaseKey(app.config.redisPrefix));
    await rebuildAllWhenFree(app);
  });
  after(async () => {
    await Promise.all(readersOn.map((r) => r.stop()));
    await app.close();
  });

  async function deleteReadModel(): Promise<void> {
    const keys = await app.redis.keys(`${app.config.redisPrefix}*`);
    if (keys.length > 0) await app.redis.del(...keys);
  }

  async function fallbackReads(): Promise<number> {
    let sum = 0;
    for (const runtime of readersOn) {
      const value = metricSum(parseMetrics((await call(runtime.url, 'GET', '/metrics')).text), 'cqrs_read_model_fallback_reads_total');
      if (!Number.isNaN(value)) sum += value;
    }
    return sum;
  }

  it('Redis emptied under readers: answered from MySQL until a keeper has rebuilt it, 0 wrong answers', async () => {
    const fallbacksBefore = await fallbackReads();
    const readers = await startReaders(readersOn.map((r) => r.url), truth);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await deleteReadModel();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await call(readersOn[1]!.url, 'GET', '/healthz')).json).to.include({ status: 'degraded', read_model: 'empty' });
    // A keeper that rebuilds 20 rows per round trip: a window of a second or more, with the readers running through it.
    const keeper = await start('uws', { PROJECTOR: '1', REBUILD_BATCH_SIZE: '20', REBUILD_LEASE_MS: String(LEASE_MS) });
    const healedIn = await untilHealthy(keeper.url, HEAL_MARGIN_MS);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { reads, wrong } = await readers.stop();
    const fellBack = (await fallbackReads()) - fallbacksBefore;
    console.log(`      (healed ${healedIn} ms after the keeper started; ${reads} reads, ${fellBack} answered from MySQL, ${wrong.length} wrong)`);
    expect(wrong.slice(0, 5)).to.deep.equal([]);
    expect(fellBack, 'reads made while the read model was empty were answered from MySQL').to.be.greaterThan(20);
  });

  it('a keeper killed (-9) in the middle of its rebuild: another heals within REBUILD_LEASE_MS and a poll, 0 wrong answers meanwhile', async () => {
    await deleteReadModel();
    const doomed = await start('uws', { PROJECTOR: '1', REBUILD_BATCH_SIZE: '1', REBUILD_LEASE_MS: String(LEASE_MS) });
    // It holds the lease and has written part of its rebuild: kill it without a chance to release anything.
    expect(await app.redis.exists(rebuildLeaseKey(app.config.redisPrefix)), 'rebuilding').to.equal(1);
    expect(await app.redis.hlen(`${app.config.redisPrefix}products:rebuild:data`), 'part of the products written').to.be.within(1, 3_999);
    doomed.process.kill('SIGKILL');
    await new Promise((resolve) => doomed.process.once('exit', resolve));
    expect(await app.redis.pttl(rebuildLeaseKey(app.config.redisPrefix)), 'the dead keeper\'s lease is left, with less than its life to run')
      .to.be.within(1, LEASE_MS);

    const readers = await startReaders(readersOn.map((r) => r.url), truth);
    const successor = await start('express', { PROJECTOR: '1', REBUILD_LEASE_MS: String(LEASE_MS) });
    const healedIn = await untilHealthy(successor.url, LEASE_MS + HEAL_MARGIN_MS);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const { reads, wrong } = await readers.stop();
    console.log(`      (healed ${healedIn} ms after the successor started; ${reads} reads, ${wrong.length} wrong)`);
    expect(wrong.slice(0, 5)).to.deep.equal([]);
    expect(reads).to.be.greaterThan(50);
  });
});

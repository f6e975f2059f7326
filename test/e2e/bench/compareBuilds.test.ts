import { expect } from 'chai';
import { compareBuilds } from '../../../bench/BuildComparison.js';
import { selectDriver } from '../../../bench/drivers/index.js';
import { loadScenarios } from '../../../bench/scenarios.js';
import { createRequests } from '../../../bench/writes.js';
import { createBuildStores } from '../../../cli/BuildStores.js';
import type { Application } from '../../../core/app.js';
import { loadConfig } from '../../../core/config.js';
import { Tables } from '../../../core/db/tables.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';

// `make compare-builds` (bench/BuildComparison.ts) on a command: each build's fresh runtime takes the write cells'
// request, every one a new row. The same build twice here (checking out another commit is git and tsc, not this).
describe('compare-builds with a command (COMMAND=products/create)', function () {
  this.timeout(120_000);
  let app: Application;

  before(async function () {
    this.timeout(120_000);
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
  });
  after(async () => {
    await app?.close();
  });

  const benchRows = async () => Number((await app.knex(Tables.products).where('name', 'like', 'bench product %').count({ n: '*' }))[0]!.n);

  it('runs the command in turns on each build: rows written, every answer a 201, a figure per build', async () => {
    const before = await benchRows();
    const builds = [{ label: 'first', root: '.' }, { label: 'second', root: '.' }];
    const rounds = await compareBuilds({
      builds, runtime: 'express', paths: ['/en/products/projection/1'], driver: selectDriver(),
      requests: createRequests(loadScenarios(), 'products', new Map(), 1),
      connections: 2, durationSec: 1, warmupSec: 0, rounds: 1,
    });
    expect(rounds).to.have.length(1);
    const runs = builds.map((b) => rounds[0]!.runs[b.label]!);
    for (const run of runs) expect(run.rps).to.be.greaterThan(0);
    // compareBuilds throws on any answer but 2xx; each request created its own row.
    const written = await benchRows() - before;
    expect(written, 'rows the two runs created').to.be.at.least(Math.floor(runs.reduce((sum, r) => sum + r.rps, 0) * 0.5));
  });

  it('without a command it reads: no row written', async () => {
    const before = await benchRows();
    await compareBuilds({
      builds: [{ label: 'only', root: '.' }], runtime: 'express', paths: ['/en/products/projection/1'], driver: selectDriver(),
      connections: 2, durationSec: 1, warmupSec: 0, rounds: 1,
    });
    expect(await benchRows()).to.equal(before);
  });

  it('with stores of its own per build (cli/BuildStores.ts): each build writes to its own database, made by its migrations, removed after', async () => {
    const before = await benchRows();
    const stores = [await createBuildStores(loadConfig(), '.', 'first'), await createBuildStores(loadConfig(), '.', 'second')];
    const databases = () => app.knex.raw('SHOW DATABASES').then(([rows]: [Array<Record<string, string>>]) => rows.map((row) => Object.values(row)[0]!));
    try {
      expect(await databases()).to.include.members(stores.map((s) => s.database));
      const builds = stores.map((s, i) => ({ label: `build ${i}`, root: '.', env: s.env }));
      const rounds = await compareBuilds({
        builds, runtime: 'express', paths: ['/en/products/projection/1'], driver: selectDriver(),
        requests: createRequests(loadScenarios(), 'products', new Map(), 1),
        connections: 2, durationSec: 1, warmupSec: 0, rounds: 1,
      });
      for (const [i, store] of stores.entries()) {
        const [[row]] = await app.knex.raw(`SELECT COUNT(*) AS n FROM \`${store.database}\`.${Tables.products}`) as [[{ n: number }]];
        expect(Number(row!.n), `rows in ${store.database}`).to.be.at.least(Math.floor(rounds[0]!.runs[`build ${i}`]!.rps * 0.5)).and.greaterThan(0);
        const [[migrations]] = await app.knex.raw(`SELECT COUNT(*) AS n FROM \`${store.database}\`.knex_migrations`) as [[{ n: number }]];
        expect(Number(migrations!.n), 'the build\'s migrations applied').to.be.greaterThan(0);
      }
      expect(await benchRows(), 'the data set the comparison was run beside').to.equal(before);
    } finally {
      for (const store of stores) await store.remove();
    }
    for (const store of stores) expect(await databases(), 'removed').to.not.include(store.database);
  });

  it('a build with a script of its own (FLOOR=1: the write floor) serves the command: rows written, no idempotency key recorded', async () => {
    const keys = async () => Number((await app.knex(Tables.idempotencyKeys).count({ n: '*' }))[0]!.n);
    const [rowsBefore, keysBefore] = [await benchRows(), await keys()];
    const rounds = await compareBuilds({
      builds: [{ label: 'write floor', root: '.', script: 'dist/bench/floors/write.js' }], runtime: 'express', paths: ['/en/products/projection/1'],
      driver: selectDriver(), requests: createRequests(loadScenarios(), 'products', new Map(), 1),
      connections: 2, durationSec: 1, warmupSec: 0, rounds: 1,
    });
    expect(rounds[0]!.runs['write floor']!.rps).to.be.greaterThan(0);
    expect(await benchRows(), 'rows the floor wrote').to.be.greaterThan(rowsBefore);
    // The runtime records every keyed command's answer; the floor has no idempotency keys.
    expect(await keys(), 'idempotency keys').to.equal(keysBefore);
  });
});

import { expect } from 'chai';
import { compareBuilds } from '../../../bench/BuildComparison.js';
import { selectDriver } from '../../../bench/drivers/index.js';
import { loadScenarios } from '../../../bench/scenarios.js';
import { createRequests } from '../../../bench/writes.js';
import type { Application } from '../../../core/app.js';
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
});

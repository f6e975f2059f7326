import { expect } from 'chai';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { measureVisibilityLag } from '../../../cli/bench-lag.js';
import type { VisibilityLagResults } from '../../../bench/results.js';
import type { Application } from '../../../core/app.js';
import { liveCount } from '../../../core/queries/sql.js';
import { createTestApp, resetData, seedSmall } from '../../support/fixtures.js';

// make bench-lag, end to end on the small data set: real runtimes (express writes, uws reads), real commands, the
// projections polled over HTTP. Timings are not judged here, only what must hold whatever the machine.
describe('make bench-lag: visibility lag measured across runtimes', function () {
  this.timeout(180_000);
  let app: Application;
  let results: VisibilityLagResults;
  let liveBefore: number;

  before(async () => {
    app = await createTestApp();
    await resetData(app);
    await seedSmall(app);
    liveBefore = await liveCount(app.knex, 'product');
    results = await measureVisibilityLag({
      runtimes: ['express'], modes: ['inline', 'async'], loads: [25],
      timing: { probeSec: 1, maxConnections: 8, windowSec: 2, tracesPerSec: 20, traceTimeoutMs: 5_000 },
      into: join(mkdtempSync(join(tmpdir(), 'cqrs-lag-')), 'lag.json'),
    });
  });
  after(async () => {
    await app?.close();
  });

  it('finds each mode\'s write maximum and measures one point per mode, express writing and uws reading', () => {
    expect(results.writeMax.map((m) => m.mode)).to.deep.equal(['inline', 'async']);
    for (const m of results.writeMax) expect(m.rate, m.mode).to.be.above(0);
    expect(results.points.map((p) => [p.mode, p.writer, p.reader, p.loadPct])).to.deep.equal([['inline', 'express', 'uws', 25], ['async', 'express', 'uws', 25]]);
    for (const p of results.points) {
      expect(p.errors, `${p.mode}: errors`).to.equal(0);
      expect(p.writes, `${p.mode}: writes`).to.be.above(0);
      expect(p.traced, `${p.mode}: traced`).to.be.above(0).and.at.most(p.writes);
      expect(p.unseen, `${p.mode}: unseen`).to.equal(0);
      expect(p.lagMs.p50).to.be.at.least(0).and.at.most(p.lagMs.p99);
      expect(p.lagMs.p99).to.be.at.most(p.lagMs.max);
    }
  });

  it('inline projection: every traced command found by the first read on the other runtime', () => {
    const inline = results.points.find((p) => p.mode === 'inline')!;
    expect(inline.visibleAtFirstRead).to.equal(inline.traced);
  });

  it('what it created is deleted again: the live product count is the seeded one', async () => {
    expect(await liveCount(app.knex, 'product')).to.equal(liveBefore);
  });
});

import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { judgeRead, wrongAnswers } from '../../../bench/recovery/judge.js';
import { measureRecovery } from '../../../bench/recovery/RecoveryRun.js';
import type { Application } from '../../../core/app.js';
import { identityKey } from '../../../core/projections/ProjectionKeys.js';
import { Seeder } from '../../../core/seed/Seeder.js';
import { findFreePort, launchRuntime } from '../../../runtimes/launcher.js';
import { createTestApp, rebuildAllWhenFree, resetData } from '../../support/fixtures.js';

// The recovery step end to end at a small size: a real uws runtime under readers, its read model deleted from the
// real Redis, healed by the runtime's own keeper; every read judged against the runtime's /db answer.
describe('bench: the read model\'s recovery step', function () {
  this.timeout(180_000);
  let app: Application;
  let logDir: string;

  before(async () => {
    app = await createTestApp();
    await resetData(app);
    await new Seeder(app.knex, 500).seed({ products: 3_000, customers: 60, orders: 400, itemsPerOrder: 3, seed: 11 });
    await app.projector.reset();
    await rebuildAllWhenFree(app);
    logDir = mkdtempSync(join(tmpdir(), 'cqrs-recovery-'));
  });
  after(async () => {
    rmSync(logDir, { recursive: true, force: true });
    await rebuildAllWhenFree(app);
    await app.close();
  });

  it('reports the time to healthy, 0 wrong answers, the reads of the window (answered from MySQL) and the keeper\'s rebuild per entity', async () => {
    const lines: string[] = [];
    // Rebuilt 20 rows per round trip: a window of a second or more for the readers to cross.
    const result = await measureRecovery({
      runtime: 'uws', readers: 4, getsPerEntity: 30, timeoutSec: 120, steadySec: 0.3, logDir, onProgress: (line) => lines.push(line),
      env: { UWS_WORKERS: '2', PROJECTOR_INTERVAL_MS: '100', REBUILD_BATCH_SIZE: '20' },
    }, app.config);
    console.log(`      (${lines.at(-1)})`);

    expect(result.data).to.deep.equal({ products: 3_000, customers: 60, orders: 400 });
    expect(result.degradedAs, '/healthz said the read model was empty').to.equal('empty');
    expect(result.timeToHealthyMs).to.be.a('number').and.greaterThan(0).and.lessThan(120_000);
    expect(wrongAnswers(result), result.wrongExamples.join('\n')).to.equal(0);
    expect(result.questions).to.equal(3 * (30 + 2 * 3));
    expect(result.before.right, 'reads served from Redis before the outage').to.be.greaterThan(0);
    expect(result.window.right, 'reads answered during the window').to.be.greaterThan(10);
    expect(result.fallbackReads, 'answered from MySQL meanwhile').to.be.greaterThan(0);
    expect(result.afterHealthy).to.deep.equal({ checked: result.questions, right: result.questions });
    expect(Object.fromEntries(Object.entries(result.rebuild).map(([entity, f]) => [entity, f.rows]))).to.deep.equal({ products: 3_000, customers: 60, orders: 400 });
    for (const figures of Object.values(result.rebuild)) expect(figures.seconds).to.be.greaterThan(0);
    expect(await app.redis.exists(identityKey(app.config.redisPrefix)), 'the read model is back').to.equal(1);
    expect(lines.some((line) => /^recovery: \d+\.\d s, read model empty: \d+ reads/.test(line)), 'progress while it healed').to.equal(true);
  });

  it('a projection answer that differs from MySQL\'s, as the runtime serves them, is counted wrong', async () => {
    // Two real answers of the runtime's routes to different questions: what a stale or misplaced projection would be.
    const runtime = await launchRuntime({ name: 'uws', port: await findFreePort(), env: { PROJECTOR: '0' }, logFile: '/dev/null' });
    try {
      const answer = async (path: string) => {
        const response = await fetch(`${runtime.url}${path}`);
        return { status: response.status, body: await response.text() };
      };
      const truth = await answer('/en/products/db/7');
      expect(judgeRead(truth, await answer('/en/products/projection/7'))).to.equal('right');
      expect(judgeRead(truth, await answer('/en/products/projection/8'))).to.equal('wrong');
      expect(judgeRead(await answer('/en/products/db?limit=5&after=10'), await answer('/en/products/projection?limit=5&after=11'))).to.equal('wrong');
    } finally {
      await runtime.stop();
    }
  });
});

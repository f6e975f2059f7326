import { expect } from 'chai';
import { MetricsTimelineSampler } from '../../../bench/MetricsTimelineSampler.js';
import type { Timeline } from '../../../bench/results.js';
import type { LaunchedRuntime, RuntimeName } from '../../../runtimes/launcher.js';
import { startRuntime } from '../../support/runtimes.js';

/** `concurrency` loops of slow requests (DEBUG_ROUTES) for `ms`, the sampler watching; returns its timeline and the requests sent. */
async function watchLoad(url: string, concurrency: number, ms: number): Promise<{ timeline: Timeline; sent: number }> {
  const sampler = new MetricsTimelineSampler(`${url}/metrics`);
  const until = Date.now() + ms;
  let sent = 0;
  sampler.start();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < until) {
      const response = await fetch(`${url}/debug/sleep/20`);
      await response.arrayBuffer();
      expect(response.status).to.equal(200);
      sent++;
    }
  }));
  return { timeline: await sampler.stop(), sent };
}

describe('bench: the /metrics timeline of a real runtime under load', function () {
  this.timeout(60_000);
  let runtime: LaunchedRuntime | undefined;
  afterEach(async () => {
    await runtime?.stop();
    runtime = undefined;
  });

  for (const name of ['fork', 'uws'] as const satisfies readonly RuntimeName[]) {
    it(`${name}: one point a second with req/s, busy ≤ total and the queue`, async () => {
      runtime = await startRuntime(name, { FORK_PERSISTENT: '1' });
      // 8 concurrent 20 ms requests on 2 workers: fork's 2 children are always busy and the rest queue.
      const { timeline, sent } = await watchLoad(runtime.url, 8, 3500);
      expect(timeline.failedScrapes).to.equal(0);
      expect(timeline.points.length).to.be.within(2, 4);
      const rates = timeline.points.map((p) => p.rps);
      for (const point of timeline.points) {
        expect(point.rps, 'req/s').to.be.greaterThan(0);
        expect(point.totalWorkers).to.equal(2);
        expect(point.busyWorkers).to.be.at.most(point.totalWorkers!);
        expect(point.inFlight).to.be.at.least(1);
        expect(point.queueLength).to.be.a('number');
      }
      // The rates add up to about the requests sent over the sampled seconds (the scrapes themselves left out).
      const counted = timeline.points.reduce((sum, p, i) => sum + p.rps * (p.t - (i === 0 ? 0 : timeline.points[i - 1]!.t)), 0);
      expect(counted).to.be.within(sent * 0.5, sent * 1.05);
      if (name === 'fork') {
        expect(Math.max(...timeline.points.map((p) => p.queueLength ?? 0)), 'fork queue').to.be.greaterThan(0);
        expect(timeline.points.every((p) => p.busyWorkers === 2)).to.equal(true);
      } else {
        expect(timeline.points.every((p) => p.queueLength === 0)).to.equal(true);
      }
      expect(Math.max(...rates)).to.be.lessThan(1000); // 8 loops of 20 ms requests: at most ~400 req/s
    });
  }
});

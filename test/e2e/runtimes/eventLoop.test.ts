import { expect } from 'chai';
import { RUNTIME_NAMES, type LaunchedRuntime, type RuntimeName } from '../../../runtimes/launcher.js';
import { call, parseMetrics, startRuntime } from '../../support/runtimes.js';

// Event-loop lag with the sampling interval taken out, and utilisation, per worker, on all three runtimes.

const RESOLUTION_S = 0.01; // the lag monitor's sampling interval: the precision of a lag reading
const BLOCK_MS = 600;

async function scrape(base: string): Promise<{ lagMean: Map<string, number>; lagP99: Map<string, number>; lagMax: Map<string, number>; utilisation: Map<string, number> }> {
  // One scrape reads and resets every series; the four maps come from the same text.
  const text = await (await fetch(`${base}/metrics`)).text();
  const series = parseMetrics(text);
  const pick = (metric: string, stat?: string) => {
    const values = new Map<string, number>();
    for (const [key, value] of series) {
      if (!key.startsWith(`${metric}{`) || (stat && !key.includes(`stat="${stat}"`))) continue;
      const worker = /worker="([^"]*)"/.exec(key)?.[1];
      if (worker !== undefined) values.set(worker, value);
    }
    return values;
  };
  return {
    lagMean: pick('cqrs_event_loop_lag_seconds', 'mean'),
    lagP99: pick('cqrs_event_loop_lag_seconds', 'p99'),
    lagMax: pick('cqrs_event_loop_lag_seconds', 'max'),
    utilisation: pick('cqrs_event_loop_utilization'),
  };
}

const EXPECTED_WORKERS: Readonly<Record<RuntimeName, readonly string[]>> = {
  fork: ['master', 'child-1', 'child-2'],
  express: ['0'],
  uws: ['main', 'worker-1', 'worker-2'],
};

describe('event loop: lag without the sampling interval, utilisation per worker', function () {
  this.timeout(60_000);
  const runtimes = new Map<RuntimeName, LaunchedRuntime>();

  before(async function () {
    this.timeout(120_000);
    for (const name of RUNTIME_NAMES) runtimes.set(name, await startRuntime(name, { FORK_PERSISTENT: '1' }));
  });
  after(async () => {
    await Promise.all([...runtimes.values()].map((r) => r.stop()));
  });

  for (const name of RUNTIME_NAMES) {
    describe(name, () => {
      const base = () => runtimes.get(name)!.url;

      it('reports one lag and one utilisation series per worker', async () => {
        const { lagP99, utilisation } = await scrape(base());
        expect([...utilisation.keys()].sort()).to.deep.equal([...EXPECTED_WORKERS[name]].sort());
        expect([...lagP99.keys()].sort()).to.deep.equal([...EXPECTED_WORKERS[name]].sort());
      });

      it('idle: lag well below the 10 ms sampling interval and utilisation near 0', async () => {
        // One-second windows, up to eight: on a shared 2-core machine another process may take the CPU for
        // a few ms in any one window (a real delay, but not this runtime's; p99 of 15 ms was seen on a CI
        // machine in five windows in a row). The figures are judged on the quietest window. Without the
        // sampling interval taken out, every sample, so every window's mean and p99, would read 10 ms or more.
        const worst = (values: Map<string, number>) => Math.max(...EXPECTED_WORKERS[name].map((w) => values.get(w) ?? Number.NaN));
        await scrape(base());
        let quietest: Awaited<ReturnType<typeof scrape>> | undefined;
        for (let attempt = 0; attempt < 8; attempt++) {
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          const window = await scrape(base());
          if (!quietest || worst(window.lagP99) < worst(quietest.lagP99)) quietest = window;
          if (worst(quietest.lagP99) < 0.002) break;
        }
        for (const worker of EXPECTED_WORKERS[name]) {
          expect(quietest!.lagMean.get(worker), `${worker} lag mean`).to.be.within(0, RESOLUTION_S / 2);
          expect(quietest!.lagP99.get(worker), `${worker} lag p99`).to.be.within(0, RESOLUTION_S * 0.8);
          expect(quietest!.utilisation.get(worker), `${worker} utilisation`).to.be.within(0, 0.2);
        }
      });

      it(`a worker kept busy ${BLOCK_MS} ms by a synchronous loop: lag of the blocked time, utilisation near 1`, async () => {
        await scrape(base());
        const blocked = call(base(), 'GET', `/debug/block/${BLOCK_MS}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
        // Asked while the loop is blocked; the blocked worker answers when its loop is free again.
        const during = await scrape(base());
        expect((await blocked).status).to.equal(200);
        const busiest = [...during.utilisation.entries()].sort((a, b) => b[1] - a[1])[0]!;
        expect(busiest[1], `utilisation of ${busiest[0]}`).to.be.at.least(0.8);
        expect(during.lagMax.get(busiest[0]), `lag max of ${busiest[0]}`).to.be.at.least(BLOCK_MS / 1000 - RESOLUTION_S);
        if (EXPECTED_WORKERS[name].length > 1) {
          const others = [...during.utilisation.entries()].filter(([worker]) => worker !== busiest[0]);
          // The workers that did not run the loop stayed free (fork's master and uws's main relay the scrape).
          expect(Math.min(...others.map(([, u]) => u)), 'least busy other worker').to.be.below(0.5);
        }
      });
    });
  }
});

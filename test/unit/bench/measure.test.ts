import { expect } from 'chai';
import { summarise } from '../../../bench/measure.js';
import type { Run } from '../../../bench/results.js';

function run(rps: number, extra: Partial<Run> & { p50?: number; p95?: number; p99?: number } = {}): Run {
  const { p50 = 1, p95 = 2, p99 = 3, ...rest } = extra;
  return {
    rps, latency: { p50, p95, p99, max: p99 * 2, mean: p50 }, requests: rps * 10, errors: 0, non2xx: 0, timeouts: 0, durationSec: 10,
    serverCpuPct: 100, serverPeakRssMiB: 50, driverCpuPct: 40, ...rest,
  };
}

describe('summarise (a cell\'s repeats → its summary)', () => {
  it('an odd number of repeats in no particular order: the middle value of each, sorted', () => {
    const summary = summarise([
      run(300, { p50: 9, p95: 20, p99: 31, serverCpuPct: 150, driverCpuPct: 60, serverPeakRssMiB: 70 }),
      run(100, { p50: 3, p95: 40, p99: 11, serverCpuPct: 190, driverCpuPct: 20, serverPeakRssMiB: 90 }),
      run(200, { p50: 6, p95: 10, p99: 51, serverCpuPct: 110, driverCpuPct: 40, serverPeakRssMiB: 60 }),
    ]);
    expect(summary).to.deep.equal({
      rps: { median: 200, min: 100, max: 300 },
      p50: 6, p95: 20, p99: 31,
      errors: 0, non2xx: 0,
      serverCpuPct: 150, serverPeakRssMiB: 90, driverCpuPct: 40,
    });
  });

  it('an even number of repeats: the mean of the two middle values', () => {
    const summary = summarise([run(400, { p50: 4 }), run(100, { p50: 1 }), run(300, { p50: 8 }), run(200, { p50: 2 })]);
    expect(summary.rps).to.deep.equal({ median: 250, min: 100, max: 400 });
    expect(summary.p50).to.equal(3);
  });

  it('one repeat is its own median; errors and timeouts and non-2xx are summed over the repeats', () => {
    expect(summarise([run(123)]).rps).to.deep.equal({ median: 123, min: 123, max: 123 });
    const summary = summarise([run(1, { errors: 2, timeouts: 3, non2xx: 4 }), run(2, { errors: 1, non2xx: 5 }), run(3)]);
    expect(summary.errors).to.equal(6);
    expect(summary.non2xx).to.equal(9);
  });
});

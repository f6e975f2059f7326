import { expect } from 'chai';
import { lagOptions, readerOf } from '../../../cli/bench-lag.js';
import { asyncLagVerdicts, visibilityLagSection } from '../../support/report.js';
import type { BenchResults } from '../../../bench/results.js';
import { percentile } from '../../../bench/drivers/autocannon.js';
import { DEFAULT_LAG_TIMING, lagStats, type LagPoint } from '../../../bench/VisibilityLag.js';
import { ConfigError } from '../../../core/index.js';

function point(overrides: Partial<LagPoint>): LagPoint {
  return {
    mode: 'async', writer: 'express', reader: 'uws', loadPct: 50, targetRate: 500, achievedRate: 498, writes: 4980, errors: 0,
    traced: 500, unseen: 0, visibleAtFirstRead: 10, lagMs: { p50: 3, p95: 8, p99: 12, max: 30 }, ...overrides,
  };
}

describe('visibility lag: statistics, options and report', () => {
  it('percentiles by nearest rank', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect([percentile(values, 50), percentile(values, 95), percentile(values, 99), percentile(values, 100)]).to.deep.equal([50, 95, 99, 100]);
    expect(percentile([7], 99)).to.equal(7);
    expect(percentile([], 50)).to.equal(0);
    expect(lagStats([5, 1, 3, 2, 4])).to.deep.equal({ p50: 3, p95: 5, p99: 5, max: 5 });
  });

  it('the reader is always another runtime kind', () => {
    for (const writer of ['fork', 'express', 'uws'] as const) expect(readerOf(writer)).not.to.equal(writer);
    expect(new Set((['fork', 'express', 'uws'] as const).map(readerOf)).size).to.equal(3);
  });

  it('options: defaults, and a clear error for each bad one', () => {
    const options = lagOptions(['--into', '/tmp/x.json']);
    expect(options).to.deep.include({ runtimes: ['fork', 'express', 'uws'], modes: ['inline', 'async'], loads: [25, 50, 90], into: '/tmp/x.json' });
    expect(options.timing).to.deep.equal(DEFAULT_LAG_TIMING);
    expect(lagOptions(['--window', '3', '--probe', '2']).timing).to.deep.include({ windowSec: 3, probeSec: 2 });
    for (const [args, message] of [
      [['--runtimes', 'nginx'], /--runtimes: unknown runtime nginx/],
      [['--modes', 'sync'], /--modes: unknown mode sync/],
      [['--loads', '0'], /--loads/],
      [['--loads', '120'], /--loads/],
      [['--window', '1.5'], /--window/],
    ] as const) {
      expect(() => lagOptions(args), args.join(' ')).to.throw(ConfigError, message);
    }
  });

  it('the async target: met at p99 ≤ 50 ms at 50% with nothing unseen, missed otherwise, other loads not judged', () => {
    expect(asyncLagVerdicts([
      point({ writer: 'fork', lagMs: { p50: 1, p95: 20, p99: 50, max: 70 } }),
      point({ writer: 'express', lagMs: { p50: 1, p95: 20, p99: 50.5, max: 70 } }),
      point({ writer: 'uws', unseen: 1 }),
      point({ writer: 'uws', loadPct: 90, lagMs: { p50: 1, p95: 2, p99: 999, max: 999 } }),
      point({ writer: 'uws', mode: 'inline' }),
    ]).map((v) => [v.writer, v.pass])).to.deep.equal([['fork', true], ['express', false], ['uws', false]]);
  });

  it('renders a row per point, the chart, the verdicts and the inline read-your-writes line', () => {
    const charts: string[] = [];
    const results = {
      visibilityLag: {
        startedAt: '', finishedAt: '', timing: DEFAULT_LAG_TIMING,
        writeMax: [{ mode: 'inline', writer: 'express', rate: 1000 }, { mode: 'async', writer: 'express', rate: 1200 }],
        points: [point({ mode: 'inline', visibleAtFirstRead: 500 }), point({ mode: 'inline', loadPct: 90, visibleAtFirstRead: 499 }), point({})],
      },
    } as unknown as BenchResults;
    const text = visibilityLagSection(results, (file) => { charts.push(file); return `![](${file})`; }).join('\n');
    expect(text.match(/^\| (inline|async) \|/gm)).to.have.length(3);
    expect(charts).to.deep.equal(['visibility-lag.svg']);
    expect(text).to.include('- express: p99 12.00 ms, 0 unseen — **met**');
    expect(text).to.include('express at 90%: 1 of 500 traced commands not found by the first read');
    expect(visibilityLagSection({} as BenchResults, () => '')).to.deep.equal([]);
  });
});

import { expect } from 'chai';
import { judgeRead, wrongAnswers } from '../../../bench/recovery/judge.js';
import { dbPathOf, questionPaths } from '../../../bench/recovery/questions.js';
import { withRecovery } from '../../../bench/recovery/RecoveryRun.js';
import { recoverySection } from '../../../bench/report/sections/recovery.js';
import { renderReport } from '../../support/report.js';
import type { BenchResults, RecoveryResult } from '../../../bench/results.js';
import { sample } from '../../support/benchSample.js';

const PRODUCT = '{"product":{"id":7,"name":"Lamp","price":"12.50"}}';

/** A measurement as the recovery step records it; `over` replaces fields. */
function recovery(over: Partial<RecoveryResult> = {}): RecoveryResult {
  return {
    runtime: 'uws', measuredAt: '2026-12-06T01:00:00.000Z', data: { products: 1_000_000, customers: 200_000, orders: 1_000_000 },
    readers: 8, questions: 720, degradedAs: 'empty', timeToHealthyMs: 48_210, timeToRightMs: 0,
    before: { right: 900, wrong: 0, unavailable: 0, error: 0 },
    window: { right: 15_300, wrong: 0, unavailable: 0, error: 0 },
    after: { right: 40, wrong: 0, unavailable: 0, error: 0 },
    fallbackReads: 14_900, afterHealthy: { checked: 720, right: 720 },
    rebuild: { products: { rows: 1_000_000, seconds: 20 }, customers: { rows: 200_000, seconds: 4 }, orders: { rows: 1_000_000, seconds: 25 } },
    wrongExamples: [],
    ...over,
  };
}

describe('recovery: judging a read against MySQL\'s answer', () => {
  const expected = { status: 200, body: PRODUCT };

  it('the same status and body is right', () => {
    expect(judgeRead(expected, { status: 200, body: PRODUCT })).to.equal('right');
    expect(judgeRead({ status: 404, body: '{"error":"x"}' }, { status: 404, body: '{"error":"x"}' })).to.equal('right');
  });

  it('another body, even by one character, or another status is wrong (a 404 for an id that exists, a stale row)', () => {
    expect(judgeRead(expected, { status: 200, body: PRODUCT.replace('12.50', '12.51') })).to.equal('wrong');
    expect(judgeRead(expected, { status: 404, body: '{"error":{"code":"NOT_FOUND"}}' })).to.equal('wrong');
    expect(judgeRead({ status: 404, body: '{}' }, { status: 200, body: PRODUCT })).to.equal('wrong');
  });

  it('a 503 is unavailable, another server error or no answer an error: refused, not answered falsely', () => {
    expect(judgeRead(expected, { status: 503, body: '{}' })).to.equal('unavailable');
    expect(judgeRead(expected, { status: 500, body: '{}' })).to.equal('error');
    expect(judgeRead(expected, null)).to.equal('error');
  });

  it('wrong answers add up the run\'s and the questions not right once healthy', () => {
    expect(wrongAnswers(recovery())).to.equal(0);
    expect(wrongAnswers(recovery({ window: { right: 1, wrong: 2, unavailable: 5, error: 1 }, after: { right: 0, wrong: 1, unavailable: 0, error: 0 }, afterHealthy: { checked: 720, right: 717 } }))).to.equal(6);
  });
});

describe('recovery: the questions', () => {
  const plan = { getsPerEntity: 200, pageLimit: 50, dbMaxOffset: 10_000, seed: 1_000 };

  it('the /db twin of a projection path asks MySQL the same question', () => {
    expect(dbPathOf('/en/orders/projection/7')).to.equal('/en/orders/db/7');
    expect(dbPathOf('/en/products/projection?limit=50&after=9')).to.equal('/en/products/db?limit=50&after=9');
  });

  it('gets up to 1% past the largest id, cursor pages anywhere, offsets no deeper than MySQL answers; the same every time', () => {
    const paths = questionPaths('products', { total: 100_000, maxId: 100_000 }, plan);
    expect(paths).to.deep.equal(questionPaths('products', { total: 100_000, maxId: 100_000 }, plan));
    const ids = paths.flatMap((p) => /\/projection\/(\d+)$/.exec(p)?.[1] ?? []).map(Number);
    const offsets = paths.flatMap((p) => /offset=(\d+)$/.exec(p)?.[1] ?? []).map(Number);
    const afters = paths.flatMap((p) => /after=(\d+)$/.exec(p)?.[1] ?? []).map(Number);
    expect([ids.length, offsets.length, afters.length]).to.deep.equal([200, 20, 20]);
    expect(Math.min(...ids)).to.be.at.least(1);
    expect(Math.max(...ids)).to.be.at.most(101_000);
    expect(Math.max(...offsets)).to.be.at.most(10_000);
    expect(Math.max(...afters)).to.be.at.most(100_000);
    expect(new Set(ids).size, 'spread, not one id').to.be.greaterThan(150);
  });
});

describe('recovery: results and report', () => {
  it('a measurement replaces the one of the same runtime and size, and keeps the others', () => {
    const base = { ...sample(), recovery: [recovery({ timeToHealthyMs: 1 }), recovery({ data: { products: 1000, customers: 200, orders: 1000 } })] } as BenchResults;
    const merged = withRecovery(base, [recovery({ timeToHealthyMs: 2 })]).recovery!;
    expect(merged.map((r) => [r.data.products, r.timeToHealthyMs])).to.deep.equal([[1000, 48_210], [1_000_000, 2]]);
  });

  it('renders a row per measurement: size, time to healthy, wrong answers, reads in the window, rebuild rows/s per entity', () => {
    const text = recoverySection({ ...sample(), recovery: [recovery()] }).join('\n');
    expect(text).to.contain('| uws | 1,000,000 | 200,000 | 1,000,000 | 48.21 s | 0 | 15,300 | 0 | 0 | 14,900 | 50,000 | 50,000 | 40,000 |');
    expect(text).to.contain('every read was right throughout; 0 wrong answers in 15,300 reads during the window (14,900 answered from MySQL)');
  });

  it('says so when the runtime did not heal, and quotes a wrong answer', () => {
    const text = recoverySection({ ...sample(), recovery: [recovery({ timeToHealthyMs: null, timeToRightMs: 3_500, window: { right: 10, wrong: 2, unavailable: 1, error: 0 }, wrongExamples: ['/en/products/projection/7: 404 {}'] })] }).join('\n');
    expect(text).to.contain('| not within the timeout | 2 | 13 | 1 | 0 |');
    expect(text).to.contain('did not heal within the timeout; the last read that was not right ended 3.50 s after the deletion; **2 wrong answers**, e.g. `/en/products/projection/7: 404 {}`');
  });

  it('is a section of RESULTS.md, "not measured" when the results have none', () => {
    const render = (results: BenchResults) => renderReport(results, { chartsDir: 'charts' }).markdown;
    expect(render(sample())).to.contain("## The read model's recovery (RTO)\n\nNot measured: run `make bench-recovery`");
    expect(render({ ...sample(), recovery: [recovery()] })).to.contain('| uws | 1,000,000 |');
  });
});

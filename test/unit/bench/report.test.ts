import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BARE_UWS_TARGET, DEEP_PAGE_TARGET, deriveConclusions, FLAT_COST_TARGET, FLOOR_TARGETS, KNOB_TARGET, TAIL_TARGET } from '../../support/report.js';
import { reportFiles, writeReport } from '../../../bench/report/index.js';
import { renderReport } from '../../support/report.js';
import { barChart, escapeXml, lineChart } from '../../../bench/report/svg.js';
import { formatNumber } from '../../../bench/format.js';
import type { BenchResults, Cell } from '../../../bench/results.js';
import { sample, SAMPLE_PATH } from '../../support/benchSample.js';

// A real quick run with timelines (schema 2): `node dist/bench/run.js --quick --duration 6 --sweep --only products/redis/get`.
const TIMELINES_PATH = fileURLToPath(new URL('../../../../test/fixtures/bench-results-timelines.json', import.meta.url));

function recorded(): BenchResults {
  return JSON.parse(readFileSync(TIMELINES_PATH, 'utf8')) as BenchResults;
}

function withCells(results: BenchResults, keep: (cell: Cell) => boolean): BenchResults {
  return { ...results, cells: results.cells.filter(keep) };
}

function render(results: BenchResults = sample()): { markdown: string; charts: Record<string, string> } {
  return renderReport(results, { chartsDir: 'bench/results/charts', resultsFile: 'bench/results/sample.json' });
}

/** The table row whose first cells are these, e.g. row(md, 'uws', 'products', 'redis', 'get'). */
function row(markdown: string, ...first: string[]): string {
  const prefix = `| ${first.join(' | ')} |`;
  const rows = markdown.split('\n').filter((line) => line.startsWith(prefix));
  expect(rows, `rows starting with ${prefix}`).to.have.length(1);
  return rows[0] ?? '';
}

/** The text of a `## ` section, up to the next one. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, `section ${heading}`).to.be.greaterThan(-1);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

/** Elements open and close in order, attributes are quoted, and every `&` starts an entity. */
function expectWellFormedSvg(svg: string): void {
  expect(svg.startsWith('<svg ')).to.equal(true);
  expect(svg.trimEnd().endsWith('</svg>')).to.equal(true);
  expect(svg.match(/<svg[\s>]/g)).to.have.length(1);
  expect(svg.match(/<\/svg>/g)).to.have.length(1);
  expect(svg).to.include('xmlns="http://www.w3.org/2000/svg"');
  expect(/&(?!(amp|lt|gt|quot|apos);)/.test(svg), 'bare &').to.equal(false);
  const stack: string[] = [];
  for (const match of svg.matchAll(/<(\/?)([a-zA-Z]+)((?:\s+[a-zA-Z][\w:-]*="[^"<]*")*)\s*(\/?)>|<|>/g)) {
    const [whole, closing, name, , selfClosing] = match;
    expect(name, `stray ${whole}`).to.be.a('string');
    if (selfClosing) continue;
    if (closing) expect(stack.pop(), `closing ${name}`).to.equal(name);
    else stack.push(name ?? '');
  }
  expect(stack).to.deep.equal([]);
}

describe('report: svg charts', () => {
  it('escapes text for XML', () => {
    expect(escapeXml(`a<b & "c" 'd'>`)).to.equal('a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;');
    const svg = barChart({ title: 'R&D <fast>', unit: 'req/s', orientation: 'horizontal', categories: ['a"b'], series: [{ name: "it's", values: [1] }] });
    expectWellFormedSvg(svg);
    expect(svg).to.include('R&amp;D &lt;fast&gt;');
    expect(svg).to.include('it&apos;s');
    expect(svg).not.to.include('<fast>');
  });

  it('formats numbers with fixed rounding and thousands separators', () => {
    expect(formatNumber(18023.7)).to.equal('18,024');
    expect(formatNumber(1234567.891, 2)).to.equal('1,234,567.89');
    expect(formatNumber(2.555, 1)).to.equal('2.6');
    expect(formatNumber(-0.001, 2)).to.equal('0.00');
    expect(formatNumber(-1500)).to.equal('-1,500');
    expect(formatNumber(Number.NaN)).to.equal('–');
  });

  it('draws one bar per measured value, none for null, in both orientations', () => {
    for (const orientation of ['horizontal', 'vertical'] as const) {
      const svg = barChart({
        title: 'T',
        unit: 'ms',
        orientation,
        categories: ['one', 'two'],
        series: [
          { name: 'first', values: [1, null] },
          { name: 'second', values: [2, 3] },
        ],
      });
      expectWellFormedSvg(svg);
      expect(svg.match(/<rect [^>]*><title>/g), orientation).to.have.length(3);
      expect(svg).to.include('>first<');
      expect(svg).to.include('>second<');
      expect(svg).to.include('fill="#ffffff"');
    }
  });

  it('draws a line with a marker per point and gives the same bytes for the same input', () => {
    const spec = {
      title: 'sweep',
      xLabel: 'workers',
      yUnit: 'req/s',
      xScale: 'log2' as const,
      series: [
        { name: 'a', points: [{ x: 4, y: 30 }, { x: 1, y: 10 }, { x: 2, y: 20 }] },
        { name: 'b', points: [{ x: 1, y: 5 }] },
      ],
    };
    const svg = lineChart(spec);
    expectWellFormedSvg(svg);
    expect(svg.match(/<circle /g)).to.have.length(4);
    expect(svg.match(/<polyline /g)).to.have.length(1);
    expect(lineChart(spec)).to.equal(svg);
  });
});

describe('report: markdown from the recorded sample', () => {
  let markdown = '';
  let charts: Record<string, string> = {};
  before(() => {
    ({ markdown, charts } = render());
  });

  it('says it is generated, from which file, and not to edit it', () => {
    expect(markdown.startsWith('# ')).to.equal(true);
    expect(markdown).to.include('Generated by `make bench` from `bench/results/sample.json`');
    expect(markdown).to.include('Do not edit by hand');
  });

  it('describes the machine and the method', () => {
    const method = section(markdown, 'Machine and method');
    for (const text of ['2026-05-01 09:12 UTC', 'AMD EPYC 7B13', '2 cores', 'Node v20.20.2', 'Redis 7.0.15', 'MariaDB', 'autocannon 9.0.0', '50 connections',
      '20 s per repeat', '5 s of warm-up', '3 repeats', 'fork 4 children', 'uws 2 worker threads', '10,000 products', '2,000 customers', '`make bench`', 'shares the 2 cores']) {
      expect(method).to.include(text);
    }
    expect(section(markdown, 'Preflight')).to.include('54 endpoints checked').and.to.include('Problems: none.');
  });

  it('puts the sample numbers in the right table rows', () => {
    // uws/products/redis/get: runs 18276, 17861.5, 18023.7 req/s; p99 8.16 ms
    const uws = row(markdown, 'uws', 'products', 'redis', 'get');
    expect(uws).to.include('| 18,024 (17,862–18,276) |');
    expect(uws).to.include('| 2.55 | 4.94 | 8.16 |');
    // fork/orders/db/list: 331.2 (324.2–334.2) req/s, p99 435.22 ms, 3 errors
    const fork = row(markdown, 'fork', 'orders', 'db', 'list');
    expect(fork).to.include('| 331 (324–334) |');
    expect(fork).to.include('| 435.22 |');
    expect(fork).to.include('⚠ 3 + 0');
    const express = row(markdown, 'express', 'customers', 'db', 'list');
    expect(express).to.include('| 2,095 (2,051–2,114) |');
    expect(express).to.include('| 68.81 |');
    expect(express).to.include('| 0 | 99 | 118 | 27 |');
    const matrixRows = markdown.split('\n').filter((line) => /^\| (fork|express|uws) \| (products|customers|orders) \| (db|redis) \| (get|list) \|/.test(line));
    expect(matrixRows).to.have.length(36);
  });

  it('links every chart it renders, each a well-formed SVG with its series', () => {
    const links = [...markdown.matchAll(/!\[([^\]]+)\]\(([^)]+)\)/g)].map((m) => m[2] ?? '');
    expect(links).to.have.length(5);
    for (const link of links) {
      expect(link.startsWith('bench/results/charts/')).to.equal(true);
      const svg = charts[link.slice('bench/results/charts/'.length)];
      expect(svg, link).to.be.a('string');
      expectWellFormedSvg(svg ?? '');
    }
    expect(Object.keys(charts).sort()).to.deep.equal(['latency.svg', 'read-modes.svg', 'throughput-get.svg', 'throughput-list.svg', 'worker-sweep.svg']);
    for (const file of ['throughput-get.svg', 'throughput-list.svg']) {
      for (const name of ['fork', 'express', 'uws', 'products/redis', 'orders/db']) expect(charts[file]).to.include(`>${name}<`);
    }
    expect(charts['throughput-get.svg']).to.include('>18,024<');
    for (const name of ['p50', 'p95', 'p99', 'fork', 'uws']) expect(charts['latency.svg']).to.include(`>${name}<`);
    for (const name of ['fork/redis', 'uws/redis']) expect(charts['worker-sweep.svg']).to.include(`>${name}<`);
    for (const name of ['uws products list', 'uws products get', 'original-mget', 'default']) expect(charts['read-modes.svg']).to.include(`>${name}<`);
  });

  it('warns loudly about the one cell with errors, and only that one', () => {
    const top = markdown.slice(0, markdown.indexOf('\n## '));
    expect(top).to.include('[!CAUTION]');
    expect(top).to.include('1 cell had failed requests');
    const warningRows = top.split('\n').filter((line) => /^> \| [a-z]+\//.test(line));
    expect(warningRows).to.deep.equal(['> | fork/orders/db/list | 3 | 0 | 0 |']);
  });

  it('lists any other failing cell (non-2xx, timeouts) and drops the warning when none failed', () => {
    const results = sample();
    const cells = results.cells.map((cell) =>
      cell.id === 'uws/customers/redis/get'
        ? { ...cell, summary: { ...cell.summary, non2xx: 7 }, runs: cell.runs.map((r, i) => (i === 0 ? { ...r, non2xx: 7, timeouts: 2 } : r)) }
        : cell,
    );
    const twoFailed = render({ ...results, cells }).markdown;
    expect(twoFailed).to.include('2 cells had failed requests');
    expect(twoFailed).to.include('> | uws/customers/redis/get | 0 | 7 | 2 |');

    const clean = cells
      .filter((c) => c.id !== 'uws/customers/redis/get')
      .map((c) => ({ ...c, summary: { ...c.summary, errors: 0 }, runs: c.runs.map((r) => ({ ...r, errors: 0 })) }));
    const cleanMarkdown = render({ ...results, cells: clean }).markdown;
    expect(cleanMarkdown).not.to.include('[!CAUTION]');
    expect(cleanMarkdown).to.include('Every request of every cell was answered 2xx');
  });

  it('lists preflight problems, loudly', () => {
    const problems = ['fork GET /en/orders/db/1: body differs from express', 'uws GET /en/products/projection: status 503'];
    const withProblems = render({ ...sample(), preflight: { checked: 54, problems } }).markdown;
    const preflight = section(withProblems, 'Preflight');
    expect(preflight).not.to.include('Problems: none.');
    for (const problem of problems) expect(preflight).to.include(`- ${problem}`);
    expect(withProblems.slice(0, withProblems.indexOf('\n## '))).to.include('The preflight found 2 problem(s)');
  });

  it('warns about quick mode only in quick mode', () => {
    expect(markdown).not.to.include('**Quick mode:**');
    const quick = render({ ...sample(), mode: 'quick' }).markdown;
    expect(section(quick, 'Machine and method')).to.include('**Quick mode:**');
  });

  it('checks the targets: pass and fail from the measured ratios', () => {
    const targets = section(markdown, 'Targets');
    // 18023.7 / 7512.4 = 2.3992; 1652.3 / 981.6 = 1.6833; 4297.5 / 2206.4 = 1.9477; 8046.9 / 9.6 = 838.22
    // The recorded autocannon used 93% of a core on uws products get: the check measured the load generator.
    expect(row(targets, 'uws products get')).to.equal('| uws products get | 2.40× | ≥ 2.00× | ⚠ inconclusive (driver-bound) |');
    expect(row(targets, 'uws products list')).to.equal('| uws products list | 2.11× | ≥ 2.00× | ✅ pass |');
    expect(row(targets, 'fork products get')).to.equal('| fork products get | 1.68× | ≥ 2.00× | ❌ fail |');
    expect(row(targets, 'express products list')).to.equal('| express products list | 1.95× | ≥ 2.00× | ❌ fail |');
    expect(row(targets, 'uws products list from redis')).to.equal('| uws products list from redis | 838× | ≥ 10.00× | ✅ pass |');
    const checks = deriveConclusions(sample()).targets;
    // 18 source checks, 1 list, 1 bare uWS, 1 flat cost, 1 deep page, 4 floors, 1 knob, and the tail of 24 uws and express cells.
    expect(checks).to.have.length(51);
    expect(checks.filter((t) => t.target === TAIL_TARGET.text)).to.have.length(24);
    // No floors nor knob cells in the sample: each of those targets says so once.
    expect(checks.filter((t) => t.status === 'not measured').map((t) => t.target)).to.deep.equal([BARE_UWS_TARGET.text, FLAT_COST_TARGET.text, DEEP_PAGE_TARGET.text,
      ...FLOOR_TARGETS.map((t) => t.text), KNOB_TARGET.text]);
    expect(checks.find((t) => t.scope === 'uws products get')?.ratio).to.be.closeTo(18023.7 / 7512.4, 1e-9);
    expect(checks.filter((t) => t.status === 'fail' && t.target !== TAIL_TARGET.text).map((t) => t.scope)).to.deep.equal([
      'fork products get', 'fork products list', 'fork customers get', 'fork customers list', 'express products list', 'express customers list',
    ]);
    expect(checks.filter((t) => t.status === 'inconclusive' && t.target !== TAIL_TARGET.text).map((t) => t.scope)).to.deep.equal(['uws products get', 'uws customers get']);
    expect(targets).to.include('- uws products get: 2.40× against ≥ 2.00×, inconclusive: uws/products/redis/get is driver-bound (the load generator used 93% of a core).');
  });

  it('flags a cell as driver-bound by its rate near the ceiling or by the load generator\'s CPU, and makes its checks inconclusive', () => {
    const base = sample();
    const forge = (id: string, change: (c: Cell) => Cell): BenchResults => ({ ...base, cells: base.cells.map((c) => (c.id === id ? change(c) : c)) });
    const expressGet = (results: BenchResults) => deriveConclusions(results).targets.find((t) => t.scope === 'express products get')!;
    expect(expressGet(base).status).to.equal('pass');
    // express products get at 54% of a core, 3,5xx req/s: forged at 90% of a core → inconclusive; at 89% → still judged.
    const cpu = (pct: number) => forge('express/products/redis/get', (c) => ({ ...c, summary: { ...c.summary, driverCpuPct: pct } }));
    expect(expressGet(cpu(90)).status).to.equal('inconclusive');
    expect(expressGet(cpu(89)).status).to.equal('pass');
    // A ceiling (the bare constant) just above the cell's rate: within 15% → inconclusive; further → judged.
    const redis = base.cells.find((c) => c.id === 'express/products/redis/get')!;
    const ceiling = (rps: number): BenchResults => ({ ...base, baselines: { uwsConstant: { workers: 2, bodyBytes: 180, runs: redis.runs, summary: { ...redis.summary, driverCpuPct: 99, rps: { median: rps, min: rps, max: rps } } } } });
    expect(expressGet(ceiling(redis.summary.rps.median / 0.86)).status).to.equal('inconclusive');
    expect(expressGet(ceiling(redis.summary.rps.median / 0.84)).status).to.equal('pass');
    const { markdown } = renderReport(ceiling(redis.summary.rps.median / 0.86), { chartsDir: 'charts' });
    expect(row(markdown, 'express', 'products', 'redis', 'get')).to.match(/ ⚠ driver-bound \|$/);
    expect(row(markdown, 'express', 'products', 'db', 'get')).to.not.include('driver-bound');
    expect(section(markdown, 'Machine and method')).to.match(/Load generator's ceiling\*\*: [\d,]+ req\/s against the bare uWS constant/);
  });

  it('checks uws against the bare uWS baseline and cost per request across data sizes when measured', () => {
    const base = sample();
    const uwsGet = base.cells.find((c) => c.id === 'uws/products/redis/get')!;
    const scaleCell = (rows: number, rps: number): Cell => ({ ...uwsGet, id: `uws/products/redis/get#${rows}`, group: 'scale', rows,
      summary: { ...uwsGet.summary, driverCpuPct: 50, rps: { median: rps, min: rps, max: rps } } });
    const results: BenchResults = {
      ...base,
      cells: [...base.cells, scaleCell(1000, 10_000), scaleCell(100_000, 7_000)],
      baselines: { uwsConstant: { workers: 2, bodyBytes: 180, runs: uwsGet.runs, summary: { ...uwsGet.summary, rps: { median: 25_000, min: 25_000, max: 25_000 } } } },
    };
    const checks = deriveConclusions(results).targets;
    const bare = checks.find((t) => t.target === BARE_UWS_TARGET.text)!;
    expect(bare.ratio).to.be.closeTo(18023.7 / 25_000, 1e-9);
    expect(bare.status).to.equal('inconclusive'); // the recorded uws get had its load generator at 93% of a core
    const flat = checks.find((t) => t.target === FLAT_COST_TARGET.text)!;
    expect(flat.ratio).to.be.closeTo(0.7, 1e-9);
    expect(flat.status).to.equal('fail');
    const markdown = renderReport(results, { chartsDir: 'charts' }).markdown;
    expect(markdown).to.include('| 0.72× | ≥ 0.60× | ⚠ inconclusive (driver-bound) |');
    expect(markdown).to.include('| 0.70× | ≥ 0.80× | ❌ fail |');
  });

  it('reports page depth: cost × first page per source and paging, the bound check, a chart and one sentence each', () => {
    const base = sample();
    const list = base.cells.find((c) => c.id === 'uws/products/db/list')!;
    const at = (source: 'db' | 'redis', rps: number, page?: Cell['page']): Cell => ({
      ...list, source, group: 'scale', rows: 100_000, id: `uws/products/${source}/list#100000${page ? `@${page.by}=${page.depth}` : ''}`,
      ...(page ? { page } : {}), summary: { ...list.summary, rps: { median: rps, min: rps, max: rps } },
    });
    const results: BenchResults = {
      ...base,
      settings: { ...base.settings, dbMaxOffset: 10_000 },
      cells: [
        ...base.cells,
        at('db', 4_000), at('db', 400, { by: 'offset', depth: 10_000 }), at('db', 40, { by: 'offset', depth: 99_950 }),
        at('db', 3_900, { by: 'after', depth: 10_000 }), at('db', 3_800, { by: 'after', depth: 99_950 }),
        at('redis', 9_000), at('redis', 9_000, { by: 'offset', depth: 99_950 }),
      ],
    };
    const conclusions = deriveConclusions(results);
    const dbOffset = conclusions.depth.find((f) => f.source === 'db' && f.by === 'offset')!;
    expect(dbOffset.points.map((p) => [p.depth, p.cost])).to.deep.equal([[0, 1], [10_000, 10], [99_950, 100]]);
    expect(conclusions.depth.map((f) => `${f.source}/${f.by}`)).to.deep.equal(['db/offset', 'db/after', 'redis/offset']);
    // The bound's page costs 10× the first: inside 20×, a pass, even though the page past the bound costs 100×.
    const bound = conclusions.targets.find((t) => t.target === DEEP_PAGE_TARGET.text)!;
    expect(bound.ratio).to.be.closeTo(0.1, 1e-9);
    expect(bound.status).to.equal('pass');
    // The depth cells are not "the same scenario at another size": the flat-cost check ignores them.
    expect(conclusions.targets.filter((t) => t.target === FLAT_COST_TARGET.text).every((t) => !t.scope.includes('99,950'))).to.equal(true);
    const { markdown, charts } = renderReport(results, { chartsDir: 'charts' });
    const depth = section(markdown, 'Page depth');
    expect(depth).to.include('| 100,000 | db | offset | 99,950 (past the bound) | 40 |');
    expect(depth).to.include('| 100,000 | db | cursor (after) | 99,950 |');
    expect(depth).to.include('![Cost of a page by depth, 100,000 products](charts/page-depth.svg)');
    expect(depth).to.match(/MySQL by offset at 100,000 rows: cost grows with depth, the last page \(99,950 rows in\) at 100×/);
    expect(depth).to.match(/the projection by offset at 100,000 rows: page depth costs nothing measurable/);
    // 3,900 ÷ 400 at 10,000 rows in, 3,800 ÷ 40 at 99,950: MySQL's cursor against its offset.
    expect(depth).to.include('MySQL at 100,000 rows, cursor ÷ offset req/s for the same page: 9.75× at 10,000 rows in, 95.00× at 99,950 rows in.');
    expectWellFormedSvg(charts['page-depth.svg']!);
    expect(charts['page-depth.svg']).to.include('db by offset');
  });

  it("compares fork's persistent connections with its per-request bootstrap, cell by cell", () => {
    const base = sample();
    const persistent = (id: string, rps: number): Cell => {
      const cell = base.cells.find((c) => c.id === id)!;
      return { ...cell, id: `${id}+persistent`, group: 'persistent', summary: { ...cell.summary, rps: { median: rps, min: rps, max: rps } } };
    };
    const get = base.cells.find((c) => c.id === 'fork/products/redis/get')!.summary.rps.median;
    const list = base.cells.find((c) => c.id === 'fork/products/db/list')!.summary.rps.median;
    const results: BenchResults = { ...base, cells: [...base.cells, persistent('fork/products/redis/get', get * 8), persistent('fork/products/db/list', list * 2)] };
    const conclusions = deriveConclusions(results);
    expect(conclusions.persistent.map((f) => [f.entity, f.source, f.operation, f.ratio, f.bootstrapShare])).to.deep.equal([
      ['products', 'redis', 'get', 8, 1 - 1 / 8], ['products', 'db', 'list', 2, 0.5],
    ]);
    const { markdown } = renderReport(results, { chartsDir: 'charts' });
    expect(markdown).to.include('| products | redis | get |');
    expect(markdown).to.include('| 8.00× | 88% |');
    expect(markdown).to.include('| 2.00× | 50% |');
    // The median of 8× and 2× is 5×, of the shares (87.5% and 50%) 69%.
    expect(markdown).to.include('fork with persistent connections (FORK_PERSISTENT=1) serves 5.00× the per-request bootstrap\'s rate (median of 2 cells, 2.00×–8.00×)');
    expect(markdown).to.include('is 69% of a fork request\'s cost (50%–88%)');
    // The persistent cells stay out of the matrix comparisons.
    expect(deriveConclusions(results).sourceRatios).to.deep.equal(deriveConclusions(base).sourceRatios);
    expect(deriveConclusions(base).summary).to.include('fork with persistent connections (FORK_PERSISTENT=1): not measured.');
  });

  it('says page depth was not measured, and the bound check "not measured", without depth cells', () => {
    const conclusions = deriveConclusions(sample());
    expect(conclusions.depth).to.deep.equal([]);
    expect(conclusions.targets.find((t) => t.target === DEEP_PAGE_TARGET.text)!.status).to.equal('not measured');
    expect(section(render().markdown, 'Page depth')).to.include('Not measured');
  });

  it('draws conclusions with the computed ratios', () => {
    const conclusions = section(markdown, 'Conclusions');
    // uws redis ÷ db: products list 8011.2 / 3804.6 = 2.11, orders get 16187.4 / 3906.2 = 4.14
    expect(conclusions).to.include('uws: projection reads run at 2.11× (products list) to 4.14× (orders get)');
    // fork sweep: best 1721.6 at 8 workers, 1721.6 / 521.4 = 3.30
    expect(conclusions).to.include('most req/s with 8 workers (1,722 req/s); 3.30× the rate with 1 worker');
    expect(conclusions).to.include('most req/s with 2 workers (18,013 req/s)');
    expect(conclusions).to.include('838× faster');
    expect(conclusions).to.include('10 of 18 checks pass');
    expect(conclusions).to.include('inconclusive (driver-bound): uws products get, uws customers get');
    expect(conclusions).to.include('fork/orders/db/list');
    const derived = deriveConclusions(sample());
    const uwsOverExpress = derived.runtimeRatios.find((f) => f.numerator === 'uws' && f.denominator === 'express' && f.entity === 'products' && f.source === 'redis' && f.operation === 'get');
    expect(uwsOverExpress?.ratio).to.be.closeTo(18023.7 / 8612.9, 1e-9);
    expect(uwsOverExpress?.sentence).to.include('2.09×');
  });

  it('explains the slow-Redis finding cause by cause', () => {
    const finding = section(markdown, 'The slow-Redis finding');
    // 61.3 / 9.6 = 6.39; 68.2 / 61.3 = 1.11; 3402.6 / 68.2 = 49.89; 8046.9 / 3402.6 = 2.36
    expect(row(finding, '`original-mget`')).to.include('| 6.39× | one Redis round trip per id |');
    expect(row(finding, '`original-pooled`')).to.include('| 1.11× | a new Redis connection per request |');
    expect(row(finding, '`original-paged`')).to.include('| 49.89× | reading the whole list |');
    expect(row(finding, '`original`', '`limit=all`')).to.include('| 9.6 (9.5–9.7) |');
    expect(finding).to.include('The largest step is original-pooled → original-paged (49.89×), which removes reading the whole list.');
    const steps = deriveConclusions(sample()).readModes.find((f) => f.operation === 'list')?.steps ?? [];
    expect(steps.map((s) => `${s.from}→${s.to}`)).to.deep.equal([
      'original→original-mget', 'original-mget→original-pooled', 'original-pooled→original-paged', 'original-paged→default',
    ]);
    expect(steps[3]?.speedup).to.be.closeTo(8046.9 / 3402.6, 1e-9);
  });

  it('gives the same bytes when rendered twice', () => {
    const again = render();
    expect(again.markdown).to.equal(markdown);
    expect(again.charts).to.deep.equal(charts);
  });
});

describe('report: the median of the runtime ratios', () => {
  /** uws and express matrix cells of the first `ratios.length` scenarios, express at 1,000 req/s and uws at ratio × 1,000. */
  function pairSummary(ratios: readonly number[]): string {
    const base = sample();
    const express = base.cells.filter((c) => c.group === 'matrix' && c.runtime === 'express' && c.readMode === 'default' && (c.operation === 'get' || c.listQuery === 'limit=50'));
    const cells: Cell[] = [];
    ratios.forEach((ratio, i) => {
      const cell = express[i]!;
      const uws = base.cells.find((c) => c.group === 'matrix' && c.runtime === 'uws' && c.entity === cell.entity && c.source === cell.source && c.operation === cell.operation && c.readMode === cell.readMode && c.listQuery === cell.listQuery)!;
      const at = (c: Cell, rps: number): Cell => ({ ...c, summary: { ...c.summary, rps: { median: rps, min: rps, max: rps } } });
      cells.push(at(cell, 1_000), at(uws, ratio * 1_000));
    });
    const lines = deriveConclusions({ ...base, cells }).summary.filter((line) => line.startsWith('uws ÷ express:'));
    expect(lines).to.have.length(1);
    return lines[0]!;
  }

  it('an odd number of ratios in no particular order: the middle one', () => {
    expect(pairSummary([5, 1, 3])).to.match(/, median 3\.00× over 3 scenarios\.$/);
    expect(pairSummary([1, 9, 2, 8, 4])).to.match(/, median 4\.00× over 5 scenarios\.$/);
  });

  it('an even number of ratios: the mean of the two middle ones (neither the upper nor the lower)', () => {
    expect(pairSummary([10, 1, 3, 2])).to.match(/, median 2\.50× over 4 scenarios\.$/);
    expect(pairSummary([4, 2])).to.match(/, median 3\.00× over 2 scenarios\.$/);
  });
});

describe('report: what the run did not measure', () => {
  it('says "not measured" for missing sweep and read-mode groups', () => {
    const { markdown, charts } = render(withCells(sample(), (c) => c.group === 'matrix'));
    expect(markdown).to.include('Not measured: the results have no sweep cells.');
    expect(markdown).to.include('Not measured: the results have no read-mode cells.');
    expect(row(section(markdown, 'Targets'), 'lists')).to.include('not measured');
    expect(charts).not.to.have.property('worker-sweep.svg');
    expect(charts).not.to.have.property('read-modes.svg');
    expect(markdown).not.to.include('worker-sweep.svg');
  });

  it('says "not measured" for a missing cell', () => {
    const { markdown } = render(withCells(sample(), (c) => c.id !== 'uws/products/db/get'));
    expect(row(section(markdown, 'Targets'), 'uws products get')).to.equal('| uws products get | – | ≥ 2.00× | not measured |');
    const finding = deriveConclusions(withCells(sample(), (c) => c.id !== 'uws/products/db/get')).sourceRatios.find((f) => f.runtime === 'uws' && f.entity === 'products' && f.operation === 'get');
    expect(finding?.ratio).to.equal(null);
    expect(finding?.sentence).to.include('not measured');
  });

  it('renders a run with no cells at all without throwing', () => {
    const { markdown, charts } = render(withCells(sample(), () => false));
    expect(markdown).to.include('Not measured: the results have no matrix cells.');
    expect(Object.keys(charts)).to.deep.equal([]);
  });
});

describe('writeReport', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'report-test-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes RESULTS.md, the details beside the results with the charts they link, and the findings', async () => {
    mkdirSync(join(dir, 'bench', 'results'), { recursive: true });
    const resultsPath = join(dir, 'bench', 'results', 'sample.json');
    writeFileSync(resultsPath, readFileSync(SAMPLE_PATH));
    const markdownPath = join(dir, 'RESULTS.md');
    await writeReport(resultsPath, markdownPath, join(dir, 'docs', 'charts'));

    const files = reportFiles(resultsPath);
    expect(files).to.deep.equal({ details: join(dir, 'bench', 'results', 'sample.DETAILS.md'), findings: join(dir, 'bench', 'results', 'sample.findings.json') });
    const details = readFileSync(files.details, 'utf8');
    expect(details).to.include('from `sample.json`');
    const links = [...details.matchAll(/!\[[^\]]+\]\(([^)]+)\)/g)].map((m) => m[1] ?? '');
    expect(links).to.include('../../docs/charts/throughput-get.svg');
    expect(links).to.have.length(5);
    const rendered = renderReport(sample(), { chartsDir: '../../docs/charts', resultsFile: 'sample.json' });
    expect(details).to.equal(rendered.markdown);
    for (const link of links) {
      expect(existsSync(join(dir, 'bench', 'results', link)), link).to.equal(true);
      expect(readFileSync(join(dir, 'bench', 'results', link), 'utf8')).to.equal(rendered.charts[link.slice('../../docs/charts/'.length)]);
    }
    const summary = readFileSync(markdownPath, 'utf8');
    expect(summary).to.include('](docs/charts/throughput-get.svg)').and.include('](bench/results/sample.DETAILS.md)').and.include('](bench/results/sample.findings.json)');
    expect(JSON.parse(readFileSync(files.findings, 'utf8')).outcomes).to.have.length(16);
  });

  it('takes a relative charts folder as relative to the markdown, as its links are', async () => {
    const markdownPath = join(dir, 'out', 'RESULTS-quick.md');
    mkdirSync(join(dir, 'out'));
    const resultsPath = join(dir, 'out', 'quick.json');
    writeFileSync(resultsPath, readFileSync(SAMPLE_PATH));
    await writeReport(resultsPath, markdownPath, 'charts-quick');
    expect(existsSync(join(dir, 'out', 'charts-quick', 'throughput-get.svg'))).to.equal(true);
    expect(readFileSync(markdownPath, 'utf8')).to.include('](charts-quick/throughput-get.svg)');
    expect(readFileSync(join(dir, 'out', 'quick.DETAILS.md'), 'utf8')).to.include('](charts-quick/throughput-get.svg)');
  });

  it('refuses a file that is not a results file', async () => {
    const path = join(dir, 'other.json');
    writeFileSync(path, JSON.stringify({ schema: 99, cells: [] }));
    let error: unknown;
    try {
      await writeReport(path, join(dir, 'RESULTS.md'), join(dir, 'charts'));
    } catch (err) {
      error = err;
    }
    expect((error as Error | undefined)?.message).to.include('not a results file');
    expect(existsSync(join(dir, 'RESULTS.md'))).to.equal(false);
  });
});

/** The lines of a time-series chart: what each draws (cell, metric) and its points' y pixels. */
function polylines(svg: string): { cell: string; metric: string; name: string; ys: number[] }[] {
  return [...svg.matchAll(/<polyline points="([^"]*)"[^>]*? data-cell="([^"]*)" data-metric="([^"]*)"><title>([^<]*)<\/title><\/polyline>/g)].map((m) => ({
    cell: m[2] ?? '',
    metric: m[3] ?? '',
    name: m[4] ?? '',
    ys: (m[1] ?? '').split(' ').map((xy) => Number(xy.split(',')[1])),
  }));
}

/** A cell's recorded values of a metric, repeats in order, straight from the results file. */
function recordedValues(cell: Cell, metric: keyof NonNullable<Cell['runs'][number]['timeline']>['points'][number]): number[] {
  return cell.runs.flatMap((run) => (run.timeline?.points ?? []).flatMap((p) => (p[metric] === undefined ? [] : [p[metric]])));
}

describe('report: what the dashboards would have shown, from a recorded run', () => {
  const results = recorded();
  const cellById = (id: string): Cell => {
    const cell = results.cells.find((c) => c.id === id);
    expect(cell, id).to.not.equal(undefined);
    return cell!;
  };
  let markdown = '';
  let charts: Record<string, string> = {};
  before(() => {
    ({ markdown, charts } = renderReport(results, { chartsDir: 'bench/results/charts-quick', resultsFile: 'bench/results/quick.json' }));
  });

  it('links one time-series chart per runtime and one per swept runtime, each well-formed', () => {
    const dashboards = section(markdown, 'What the dashboards would have shown');
    const links = [...dashboards.matchAll(/!\[[^\]]+\]\(([^)]+)\)/g)].map((m) => m[1]);
    const files = ['timeline-fork.svg', 'timeline-express.svg', 'timeline-uws.svg', 'timeline-sweep-fork.svg', 'timeline-sweep-uws.svg'];
    expect(links).to.deep.equal(files.map((f) => `bench/results/charts-quick/${f}`));
    for (const file of files) {
      expect(charts[file], file).to.be.a('string');
      expectWellFormedSvg(charts[file] ?? '');
    }
    expect(dashboards).to.include('### One cell per runtime: products/redis/get');
    expect(dashboards).to.include('### The worker sweep over time');
  });

  it('draws every series of the cell a runtime chart is about, with one line per series', () => {
    const expected = {
      fork: ['rps', 'inFlight', 'busyWorkers', 'totalWorkers', 'queueLength', 'lagP99Ms', 'utilisationMean', 'utilisationMax'],
      express: ['rps', 'inFlight', 'lagP99Ms', 'utilisationMean', 'utilisationMax'],
      uws: ['rps', 'inFlight', 'busyWorkers', 'totalWorkers', 'queueLength', 'lagP99Ms', 'utilisationMean', 'utilisationMax'],
    };
    for (const [runtime, metrics] of Object.entries(expected)) {
      const lines = polylines(charts[`timeline-${runtime}.svg`] ?? '');
      expect(lines.map((l) => l.metric), runtime).to.deep.equal(metrics);
      expect(new Set(lines.map((l) => l.cell)), runtime).to.deep.equal(new Set([`${runtime}/products/redis/get`]));
    }
    // express has no pool: its two pool panels say so instead of drawing a line.
    expect(charts['timeline-express.svg']?.match(/>no worker pool: one process</g)).to.have.length(2);
    expect(charts['timeline-fork.svg']).not.to.include('no worker pool');
  });

  it('puts the recorded values on each line, in order', () => {
    for (const file of Object.keys(charts).filter((f) => f.startsWith('timeline-'))) {
      for (const line of polylines(charts[file] ?? '')) {
        const values = recordedValues(cellById(line.cell), line.metric as Parameters<typeof recordedValues>[1]);
        expect(line.ys, `${file} ${line.cell} ${line.metric}`).to.have.length(values.length);
        // Higher values sit higher (smaller y): every pair of points is ordered as the recorded values are.
        for (let i = 0; i < values.length; i++) {
          for (let j = 0; j < values.length; j++) {
            if (values[i]! > values[j]! * 1.01 + 1e-6) expect(line.ys[i]!, `${file} ${line.metric} point ${i} above ${j}`).to.be.lessThan(line.ys[j]! + 0.11);
          }
        }
      }
    }
    // The fork queue as recorded: 45 requests waiting at the first scrape of the matrix cell, 49 with one child.
    expect(recordedValues(cellById('fork/products/redis/get'), 'queueLength')[0]).to.equal(45);
    expect(charts['timeline-fork.svg']).to.include('<title>queue length: 45 requests at 1.0 s of load</title>');
    expect(charts['timeline-sweep-fork.svg']).to.include('<title>1 worker: 49 requests at 1.0 s of load</title>');
  });

  it('draws the sweep per runtime: each pool size its own line in every panel, busy and total apart', () => {
    for (const runtime of ['fork', 'uws']) {
      const lines = polylines(charts[`timeline-sweep-${runtime}.svg`] ?? '');
      const sizes = [1, 2, 4, 8, 16];
      const of = (metric: string): string[] => lines.filter((l) => l.metric === metric).map((l) => l.cell);
      const cells = sizes.map((w) => `${runtime}/products/redis/get@w${w}`);
      for (const metric of ['rps', 'busyWorkers', 'totalWorkers', 'queueLength', 'utilisationMean']) expect(of(metric), `${runtime} ${metric}`).to.deep.equal(cells);
      expect(lines).to.have.length(25);
      expect(lines.filter((l) => l.metric === 'totalWorkers').map((l) => l.name)).to.deep.equal(['1 worker, total', '2 workers, total', '4 workers, total', '8 workers, total', '16 workers, total']);
    }
    expect(charts['timeline-sweep-fork.svg']).to.include('>Busy vs total children<');
    expect(charts['timeline-sweep-uws.svg']).to.include('>Busy vs total worker threads<');
  });

  it('says under each chart what to see, in the recorded numbers', () => {
    const dashboards = section(markdown, 'What the dashboards would have shown');
    // fork queue 45, 45, 44, 44, 46, 46: mean 45.0, max 46; 4 of 4 children busy at every scrape
    expect(dashboards).to.include('**fork**: 6 scrapes, 349–549 req/s; all 4 children busy in 6 of 6 scrapes (4.0 busy on average); the queue held 45.0 requests on average (up to 46)');
    expect(dashboards).to.include('**express**: 6 scrapes');
    expect(dashboards).to.include('no worker pool: one event loop');
    expect(dashboards).to.match(/\*\*uws\*\*: 6 scrapes, [^\n]*all 2 worker threads busy in 6 of 6 scrapes[^\n]*the queue stayed empty/);
    expect(dashboards).to.include('**fork**, mean over the scrapes by pool size — 1: 1.0 of 1 busy, queue 49.0');
    expect(dashboards).to.include('Requests queue at every pool size');
  });

  it('gives the same bytes when rendered twice', () => {
    const again = renderReport(recorded(), { chartsDir: 'bench/results/charts-quick', resultsFile: 'bench/results/quick.json' });
    expect(again.markdown).to.equal(markdown);
    expect(again.charts).to.deep.equal(charts);
  });

  it('says the timelines were not recorded for a results file of schema 1', () => {
    const old = render();
    expect(section(old.markdown, 'What the dashboards would have shown')).to.include('Not recorded');
    expect(Object.keys(old.charts).filter((f) => f.startsWith('timeline-'))).to.deep.equal([]);
  });

  it('writes the time-series charts beside the others from a schema-2 file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-timelines-'));
    try {
      const resultsPath = join(dir, 'quick.json');
      writeFileSync(resultsPath, readFileSync(TIMELINES_PATH));
      await writeReport(resultsPath, join(dir, 'RESULTS-quick.md'), 'charts-quick');
      const details = readFileSync(reportFiles(resultsPath).details, 'utf8');
      expect(details).to.include('](charts-quick/timeline-sweep-uws.svg)');
      expect(readFileSync(join(dir, 'charts-quick', 'timeline-fork.svg'), 'utf8')).to.equal(charts['timeline-fork.svg']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

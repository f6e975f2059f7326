import { expect } from 'chai';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reportFiles, writeReport } from '../../../bench/report/index.js';
import { README_END, README_START, renderReport } from '../../../bench/report/render.js';
import type { BenchResults } from '../../../bench/results.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const at = (path: string) => join(ROOT, path);
const FULL = at('bench/results/full.json');

function block(readme: string): string {
  return readme.slice(readme.indexOf(README_START), readme.indexOf(README_END) + README_END.length);
}

function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, heading).to.be.greaterThan(-1);
  const end = markdown.indexOf('\n## ', start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

function files(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path, ext) : path.endsWith(ext) ? [path] : [];
  });
}

describe('report: the committed files are make report on bench/results/full.json', () => {
  let dir = '';
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'report-files-'));
    mkdirSync(join(dir, 'bench/results'), { recursive: true });
    copyFileSync(FULL, join(dir, 'bench/results/full.json'));
    copyFileSync(at('README.md'), join(dir, 'README.md'));
    await writeReport(join(dir, 'bench/results/full.json'), join(dir, 'RESULTS.md'), undefined, join(dir, 'README.md'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('rewrites RESULTS.md, the details, the findings and README byte for byte', () => {
    const { details, findings } = reportFiles('bench/results/full.json');
    for (const file of ['RESULTS.md', details, findings, 'README.md']) {
      expect(readFileSync(join(dir, file), 'utf8'), file).to.equal(readFileSync(at(file), 'utf8'));
    }
    for (const chart of readdirSync(join(dir, 'bench/results/charts'))) {
      expect(readFileSync(join(dir, 'bench/results/charts', chart), 'utf8'), chart).to.equal(readFileSync(at(`bench/results/charts/${chart}`), 'utf8'));
    }
  });

  it('keeps RESULTS.md to 200 lines, the answer first: the verdict, a chart and the scoreboard with a row per target', () => {
    const results = readFileSync(at('RESULTS.md'), 'utf8');
    expect(results.split('\n').length).to.be.at.most(200);
    const verdict = section(results, 'Verdict');
    expect(verdict).to.include('![');
    expect(results.indexOf('## Verdict')).to.be.lessThan(results.indexOf('## Targets'));
    expect(results.indexOf('## Targets')).to.be.lessThan(results.indexOf('## Machine and method'));
    const rows = section(results, 'Targets').split('\n').filter((l) => /^\| [✓✗⚠–] \|/.test(l));
    expect(rows).to.have.length(16);
  });
});

describe('report: a figure of the results reaches the verdict, the scoreboard and the README block', () => {
  const full = JSON.parse(readFileSync(FULL, 'utf8')) as BenchResults;
  const render = (results: BenchResults) => renderReport(results, { chartsDir: 'charts', resultsFile: 'full.json' });

  it('changes them when uws serves products from Redis at a hundredth of its rate', () => {
    const before = render(full);
    const slower = { ...full, cells: full.cells.map((c) => c.id === 'uws/products/redis/get' ? { ...c, summary: { ...c.summary, rps: { median: 349, min: 340, max: 360 } } } : c) };
    const after = render(slower);
    expect(section(after.summary, 'Verdict')).to.not.equal(section(before.summary, 'Verdict'));
    const row = (md: string) => md.split('\n').find((l) => l.includes('| projection reads ≥ 2× MySQL reads |'))!;
    expect(row(before.summary)).to.include('1.47×');
    expect(row(after.summary)).to.include('0.04×').and.include('uws products get');
    expect(after.readme).to.not.equal(before.readme);
    expect(after.readme).to.include('0.04×');
  });
});

describe('report: layout', () => {
  it('has no file over 400 lines in bench/report/', () => {
    for (const file of files(at('bench/report'), '.ts')) expect(readFileSync(file, 'utf8').split('\n').length, file).to.be.at.most(400);
  });

  it('keeps no measured figure in a string literal anywhere in bench/', () => {
    const figure = /(['"`])[^'"`\n]*\d+\.\d+×[^'"`\n]*\1/;
    // The targets' catalogue states thresholds (≥ 1.2×), which are not measured.
    const found = files(at('bench'), '.ts').filter((file) => !file.endsWith('/bench/report/targets.ts') && figure.test(readFileSync(file, 'utf8')));
    expect(found).to.deep.equal([]);
  });

  it('measures without the report, and reports without the runtimes', () => {
    const measuring = files(at('bench'), '.ts').filter((f) => !f.includes('/bench/report/'));
    expect(measuring.filter((f) => /from '[./]*report\//.test(readFileSync(f, 'utf8')))).to.deep.equal([]);
    expect(files(at('bench/report'), '.ts').filter((f) => /runtimes\//.test(readFileSync(f, 'utf8')))).to.deep.equal([]);
  });
});
